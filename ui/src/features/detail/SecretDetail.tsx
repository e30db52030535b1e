// Being built in this session (issue 4); replaced before it lands.
export function SecretDetail({ id }: { id: string }) {
  void (id );
  return <div className="page"><h1>SecretDetail</h1></div>;
}
