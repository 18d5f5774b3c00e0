//! `portal serve`: the clerk's preview. Builds the site, serves the output folder on
//! localhost under the same sub-path as in production, and rebuilds when a file changes.
//! Only the standard library: a preview needs no web framework.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Serves `dir` at `http://127.0.0.1:<port><base>` until the process ends.
pub fn serve(listener: TcpListener, dir: PathBuf, base: String) {
    for stream in listener.incoming().flatten() {
        let dir = dir.clone();
        let base = base.clone();
        std::thread::spawn(move || {
            let _ = handle(stream, &dir, &base);
        });
    }
}

fn handle(mut stream: TcpStream, dir: &Path, base: &str) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; the preview needs none of them.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            405,
            "text/plain; charset=utf-8",
            b"Methode nicht erlaubt",
            method == "HEAD",
        );
    }
    let path = percent_decode(target.split(['?', '#']).next().unwrap_or("/"));
    let head = method == "HEAD";
    let Some(rel) = path
        .strip_prefix(base)
        .or_else(|| (path.clone() + "/").strip_prefix(base).map(|_| ""))
    else {
        let location = base.to_string();
        return redirect(&mut stream, &location);
    };
    if rel.split('/').any(|s| s == "..") {
        return respond(
            &mut stream,
            400,
            "text/plain; charset=utf-8",
            b"Ungueltiger Pfad",
            head,
        );
    }
    let file = dir.join(rel);
    if file.is_dir() {
        if !path.ends_with('/') {
            return redirect(&mut stream, &format!("{path}/"));
        }
        return send_file(&mut stream, &file.join("index.html"), 200, head, dir);
    }
    send_file(&mut stream, &file, 200, head, dir)
}

fn send_file(
    stream: &mut TcpStream,
    file: &Path,
    status: u16,
    head: bool,
    dir: &Path,
) -> std::io::Result<()> {
    match std::fs::read(file) {
        Ok(bytes) => respond(stream, status, content_type(file), &bytes, head),
        Err(_) => {
            let not_found =
                std::fs::read(dir.join("404.html")).unwrap_or_else(|_| b"Nicht gefunden".to_vec());
            respond(stream, 404, "text/html; charset=utf-8", &not_found, head)
        }
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if !head {
        stream.write_all(body)?;
    }
    stream.flush()
}

fn redirect(stream: &mut TcpStream, location: &str) -> std::io::Result<()> {
    write!(stream, "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")?;
    stream.flush()
}

pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "pdf" => "application/pdf",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A cheap fingerprint of the inputs: paths, sizes and modification times.
pub fn fingerprint(paths: &[PathBuf]) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut items = Vec::new();
    for root in paths {
        for entry in walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if let Ok(meta) = entry.metadata() {
                if meta.is_file() {
                    items.push((entry.path().to_path_buf(), meta.len(), meta.modified().ok()));
                }
            }
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("/a%20b/%C3%A4"), "/a b/ä");
        assert_eq!(percent_decode("/100%"), "/100%");
    }
}
