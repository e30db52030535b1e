//! A fault injector: a small HTTP/1.1 proxy on 127.0.0.1 in front of moto
//! whose tests program what the next requests meet — a 429
//! `ThrottlingException` with `Retry-After`, another error answer, a reset
//! connection, a delay — and which passes everything else through. moto
//! never throttles, never cuts a connection and never times out; the
//! client's handling of those is tested through this.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What one request meets.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Passed to the upstream server.
    Pass,
    /// 429 with an AWS `ThrottlingException` body and `Retry-After`.
    Throttle {
        /// `Retry-After`, in seconds.
        retry_after_secs: u64,
    },
    /// An AWS JSON error answer.
    Answer {
        /// The HTTP status.
        status: u16,
        /// The AWS error code (`__type`).
        code: &'static str,
    },
    /// The connection is closed before any answer (cut mid-call).
    Reset,
    /// Passed through after a delay.
    Delay(Duration),
}

#[derive(Default)]
struct State {
    plan: VecDeque<Fault>,
    /// `X-Amz-Target` of every request seen, with what it met.
    seen: Vec<(String, String)>,
    /// When each request of `seen` arrived.
    arrived: Vec<Instant>,
}

/// The running proxy; stops when dropped.
pub struct FaultInjector {
    /// Its port on 127.0.0.1.
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl FaultInjector {
    /// Starts one in front of `127.0.0.1:upstream_port`.
    pub fn start(upstream_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fault injector");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let state = Arc::clone(&state);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let state = Arc::clone(&state);
                    std::thread::spawn(move || serve(stream, upstream_port, &state));
                }
            })
        };
        Self {
            port,
            state,
            stop,
            accept: Some(accept),
        }
    }

    /// Its endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The next requests meet `fault`, `times` times (after what is already planned).
    pub fn next(&self, times: usize, fault: Fault) -> &Self {
        let mut state = self.state.lock().expect("state");
        state.plan.extend(std::iter::repeat_n(fault, times));
        self
    }

    /// The `X-Amz-Target` operation of every request seen, in order, with
    /// what it met (`pass`, `throttle`, ...).
    pub fn seen(&self) -> Vec<(String, String)> {
        self.state.lock().expect("state").seen.clone()
    }

    /// How many requests of an operation (`BatchGetSecretValue`) were seen.
    pub fn count(&self, operation: &str) -> usize {
        self.seen().iter().filter(|(op, _)| op == operation).count()
    }

    /// When each request of an operation arrived, in order.
    pub fn arrivals(&self, operations: &[&str]) -> Vec<Instant> {
        let state = self.state.lock().expect("state");
        state
            .seen
            .iter()
            .zip(&state.arrived)
            .filter(|((op, _), _)| operations.contains(&op.as_str()))
            .map(|(_, at)| *at)
            .collect()
    }

    /// Forgets what was seen.
    pub fn clear_seen(&self) {
        let mut state = self.state.lock().expect("state");
        state.seen.clear();
        state.arrived.clear();
    }
}

impl Drop for FaultInjector {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Serves the requests of one connection (one at a time; the answer closes it).
fn serve(mut client: TcpStream, upstream_port: u16, state: &Mutex<State>) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(30)));
    let Some((head, body)) = read_request(&mut client) else {
        return;
    };
    let operation = header(&head, "x-amz-target")
        .and_then(|t| t.rsplit('.').next().map(str::to_owned))
        .unwrap_or_default();
    let fault = {
        let mut state = state.lock().expect("state");
        let fault = state.plan.pop_front().unwrap_or(Fault::Pass);
        let label = match &fault {
            Fault::Pass => "pass",
            Fault::Throttle { .. } => "throttle",
            Fault::Answer { .. } => "answer",
            Fault::Reset => "reset",
            Fault::Delay(_) => "delay",
        };
        state.seen.push((operation, label.to_owned()));
        state.arrived.push(Instant::now());
        fault
    };
    match fault {
        Fault::Pass => pass(&mut client, upstream_port, &head, &body),
        Fault::Delay(d) => {
            std::thread::sleep(d);
            pass(&mut client, upstream_port, &head, &body);
        }
        Fault::Throttle { retry_after_secs } => answer(
            &mut client,
            429,
            "ThrottlingException",
            &format!("Retry-After: {retry_after_secs}\r\n"),
        ),
        Fault::Answer { status, code } => answer(&mut client, status, code, ""),
        Fault::Reset => {
            // The connection ends with no answer: the client sees it cut.
            let _ = client.shutdown(Shutdown::Both);
        }
    }
}

fn answer(client: &mut TcpStream, status: u16, code: &str, extra: &str) {
    let body = format!(r#"{{"__type":"{code}","message":"injected by the fault injector"}}"#);
    let _ = write!(
        client,
        "HTTP/1.1 {status} Injected\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {code}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = client.flush();
}

fn pass(client: &mut TcpStream, upstream_port: u16, head: &str, body: &[u8]) {
    let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", upstream_port)) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let mut request = String::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            request.push_str(line);
            request.push_str("\r\n");
        }
    }
    request.push_str("Connection: close\r\n\r\n");
    if upstream.write_all(request.as_bytes()).is_err() || upstream.write_all(body).is_err() {
        return;
    }
    let mut response = Vec::new();
    if upstream.read_to_end(&mut response).is_err() {
        return;
    }
    // The answer closes the client's connection too: say so.
    let split = find(&response, b"\r\n\r\n").map_or(response.len(), |i| i + 4);
    let (response_head, response_body) = response.split_at(split);
    let mut rewritten = String::new();
    for line in String::from_utf8_lossy(response_head)
        .split("\r\n")
        .filter(|l| !l.is_empty())
    {
        let lower = line.to_ascii_lowercase();
        if !lower.starts_with("connection:") && !lower.starts_with("keep-alive:") {
            rewritten.push_str(line);
            rewritten.push_str("\r\n");
        }
    }
    rewritten.push_str("Connection: close\r\n\r\n");
    let _ = client.write_all(rewritten.as_bytes());
    let _ = client.write_all(response_body);
    let _ = client.flush();
}

/// The request's head (text) and its body (by `Content-Length`).
fn read_request(client: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buffer, b"\r\n\r\n") {
            break i + 4;
        }
        let n = client.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length: usize = header(&head, "content-length")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let n = client.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((head, body))
}

fn header(head: &str, name: &str) -> Option<String> {
    head.split("\r\n").find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
