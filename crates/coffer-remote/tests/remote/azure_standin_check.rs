//! The stand-in is right before anything relies on it: Microsoft's Python
//! SDK (azure-identity, azure-keyvault-secrets) drives it through set, get,
//! list with paging, versions, update, delete, recover, purge, throttling and
//! a refused client secret.

use std::process::Command;

use crate::support::azure_standin::{standin_dir, test_python};

#[test]
fn microsoft_python_sdk_drives_the_azure_standin() {
    let output = Command::new(test_python())
        .arg(standin_dir().join("check_azure_standin.py"))
        .output()
        .expect("run check_azure_standin.py");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the Azure stand-in failed Microsoft's Python SDK check:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("passed Microsoft's Python SDK check"),
        "{stdout}"
    );
    assert!(stdout.contains("ok: list pages by maxresults"), "{stdout}");
    assert!(
        stdout.contains("ok: a recovered secret keeps its versions"),
        "{stdout}"
    );
}
