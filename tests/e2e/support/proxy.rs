//! A lying daemon for the tests: a Unix socket that forwards to the real vouchd and rewrites
//! its answers.

use std::path::{Path, PathBuf};

use super::http_unix;

/// A process on a Unix socket that pretends to be vouchd: each request is forwarded to the
/// real daemon at `upstream` (if any) and its answer rewritten by `rewrite(method, path,
/// status, body)` before it goes back. For tests of what the CLI believes. Stops on drop.
pub struct Proxy {
    /// The socket the CLI should talk to.
    pub socket: PathBuf,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How a proxy rewrites an answer: (method, path, status, body) to (status, body).
pub type Rewrite = dyn Fn(&str, &str, u16, Vec<u8>) -> (u16, Vec<u8>) + Send + Sync;

impl Proxy {
    /// Listens on `socket`.
    pub fn start(socket: &Path, upstream: Option<&Path>, rewrite: Box<Rewrite>) -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = std::os::unix::net::UnixListener::bind(socket).unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let upstream = upstream.map(Path::to_path_buf);
        let flag = std::sync::Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => serve_one(stream, upstream.as_deref(), &*rewrite),
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        });
        Proxy {
            socket: socket.to_path_buf(),
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_one(
    mut stream: std::os::unix::net::UnixStream,
    upstream: Option<&Path>,
    rewrite: &Rewrite,
) {
    use std::io::{Read, Write};
    stream.set_nonblocking(false).unwrap();
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 {
            return;
        }
        request.extend_from_slice(&buf[..n]);
        if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    while request.len() < head_end + length {
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let mut words = head.split_whitespace();
    let method = words.next().unwrap_or_default().to_string();
    let path = words.next().unwrap_or_default().to_string();
    let body = &request[head_end..];
    let (status, answer) = match upstream {
        Some(upstream) => http_unix(upstream, &method, &path, body),
        None => (404, Vec::new()),
    };
    let (status, answer) = rewrite(&method, &path, status, answer);
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.len()
    );
    let _ = stream.write_all(&answer);
}
