//! The server's `Retry-After` in the SDK's retries: the standard strategy
//! reads only `x-amz-retry-after`; this classifier attaches the standard
//! header's delay to a retryable answer (and makes a bare 429 retryable).

use std::time::Duration;

use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority, RetryReason,
};
use aws_smithy_runtime_api::http::Headers;
use aws_smithy_types::retry::ErrorKind;

/// The longest `Retry-After` honoured (a larger one is capped).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// `Retry-After` in seconds (the HTTP-date form is not used by either
/// service and is ignored).
pub(crate) fn from_headers(headers: &Headers) -> Option<Duration> {
    headers
        .get("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|secs| Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// Adds the server's `Retry-After` to the SDK's retry decision.
#[derive(Debug)]
pub(crate) struct RetryAfterClassifier;

impl ClassifyRetry for RetryAfterClassifier {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        self.classify_retry_v2(ctx, &RetryAction::NoActionIndicated)
    }

    fn classify_retry_v2(&self, ctx: &InterceptorContext, previous: &RetryAction) -> RetryAction {
        let Some(response) = ctx.response() else {
            return RetryAction::NoActionIndicated;
        };
        let Some(delay) = from_headers(response.headers()) else {
            return RetryAction::NoActionIndicated;
        };
        match previous {
            RetryAction::RetryIndicated(RetryReason::RetryableError {
                kind,
                retry_after: None,
                ..
            }) => RetryAction::retryable_error_with_explicit_delay(*kind, delay),
            RetryAction::NoActionIndicated if response.status().as_u16() == 429 => {
                RetryAction::retryable_error_with_explicit_delay(ErrorKind::ThrottlingError, delay)
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "Retry-After"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}
