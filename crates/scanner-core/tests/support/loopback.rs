//! A small HTTP/1.1 server on 127.0.0.1 for validation tests and the benchmark: one request per
//! connection, answers chosen by a closure, every request recorded, the most connections in flight at
//! once counted. Nothing in it reaches beyond loopback.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What to answer.
pub enum Reply {
    /// A status, headers and a body.
    Http(u16, Vec<(String, String)>, Vec<u8>),
    /// Raw bytes instead of HTTP.
    Raw(Vec<u8>),
    /// Wait, then answer.
    Delay(Duration, Box<Reply>),
}

impl Reply {
    pub fn status(code: u16, body: &str) -> Reply {
        Reply::Http(code, Vec::new(), body.as_bytes().to_vec())
    }
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

pub struct Server {
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub max_in_flight: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl Server {
    /// Starts a server; `handler` gets each request and its number (0-based).
    pub fn start(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let count = Arc::new(AtomicUsize::new(0));
        let in_flight = Arc::new(AtomicUsize::new(0));
        {
            let (seen, max_in_flight, stop) = (seen.clone(), max_in_flight.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (seen, handler, count, in_flight, max_in_flight) = (
                        seen.clone(),
                        handler.clone(),
                        count.clone(),
                        in_flight.clone(),
                        max_in_flight.clone(),
                    );
                    std::thread::spawn(move || {
                        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                        max_in_flight.fetch_max(now, Ordering::SeqCst);
                        serve(stream, &*handler, &seen, &count);
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                    });
                }
            });
        }
        Server {
            base: format!("http://127.0.0.1:{port}"),
            seen,
            max_in_flight,
            stop,
            port,
        }
    }

    /// The same server seen over `https://` (it speaks plain HTTP: a TLS handshake fails).
    pub fn tls_base(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Seen>>, count: &AtomicUsize) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut out = stream.try_clone().expect("clone stream");
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    if r.read_line(&mut line).is_err() || !line.ends_with("\r\n") || line.split(' ').count() != 3 {
        // Not HTTP (a TLS ClientHello): answer as HTTP, which the client's TLS cannot read.
        let _ = out.write_all(
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        );
        return;
    }
    let mut parts = line.trim_end().split(' ');
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len.min(1 << 20)];
    let _ = r.read_exact(&mut body);
    let req = Seen {
        method,
        target,
        headers,
        body,
    };
    let n = count.fetch_add(1, Ordering::SeqCst);
    seen.lock().unwrap().push(req.clone());
    let mut reply = handler(&req, n);
    while let Reply::Delay(d, next) = reply {
        std::thread::sleep(d);
        reply = *next;
    }
    match reply {
        Reply::Raw(bytes) => {
            let _ = out.write_all(&bytes);
        }
        Reply::Http(status, headers, body) => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = out.write_all(head.as_bytes());
            let _ = out.write_all(&body);
        }
        Reply::Delay(..) => unreachable!(),
    }
    let _ = out.flush();
}
