// Being built in this session (issue 4); replaced before it lands.
export function SettingsPage() {
  
  return <div className="page"><h1>SettingsPage</h1></div>;
}
