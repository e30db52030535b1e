//! A cap on what one IPC call may carry, checked before any command runs.
//! A secret is at most 4 MiB, which base64 makes about 5.6 MiB; nothing the
//! page legitimately sends is bigger.

use coffer_core::ErrorCode;
use serde_json::Value;
use tauri::Runtime;
use tauri::ipc::{Invoke, InvokeBody};

use crate::error::IpcError;

/// Largest payload accepted, in bytes of text.
pub const MAX_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;

/// The size of a JSON value's text content, stopping early past `limit`.
fn size(value: &Value, limit: usize) -> usize {
    let mut total = 0usize;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        total += match v {
            Value::String(s) => s.len() + 2,
            Value::Array(items) => {
                stack.extend(items);
                2
            }
            Value::Object(map) => {
                for (key, item) in map {
                    total += key.len() + 3;
                    stack.push(item);
                }
                2
            }
            _ => 8,
        };
        if total > limit {
            break;
        }
    }
    total
}

/// Wraps the command handler so that oversized calls are refused up front.
pub fn limited<R: Runtime>(
    handler: impl Fn(Invoke<R>) -> bool + Send + Sync + 'static,
) -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    move |invoke: Invoke<R>| {
        let bytes = match invoke.message.payload() {
            InvokeBody::Json(value) => size(value, MAX_PAYLOAD_BYTES),
            InvokeBody::Raw(raw) => raw.len(),
        };
        if bytes > MAX_PAYLOAD_BYTES {
            let command = invoke.message.command().to_owned();
            invoke.resolver.reject(IpcError::new(
                ErrorCode::InvalidInput,
                format!("The request to {command} is too large (over 6 MiB)."),
            ));
            return true;
        }
        handler(invoke)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_count_text_and_stop_early() {
        let small = serde_json::json!({ "name": "a", "fields": [{ "text": "xyz" }] });
        assert!(size(&small, MAX_PAYLOAD_BYTES) < 64);
        let big = serde_json::json!({ "data": "x".repeat(7 * 1024 * 1024) });
        assert!(size(&big, MAX_PAYLOAD_BYTES) > MAX_PAYLOAD_BYTES);
        let many = Value::Array(vec![Value::String("y".repeat(1024)); 8 * 1024]);
        assert!(size(&many, MAX_PAYLOAD_BYTES) > MAX_PAYLOAD_BYTES);
    }
}
