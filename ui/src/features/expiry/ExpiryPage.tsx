// Being built in this session (issue 4); replaced before it lands.
export function ExpiryPage() {
  
  return <div className="page"><h1>ExpiryPage</h1></div>;
}
