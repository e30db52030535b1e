// Being built in this session (issue 4); replaced before it lands.
export function TrashPage() {
  
  return <div className="page"><h1>TrashPage</h1></div>;
}
