//! What each service accepts, checked before anything is sent (DESIGN §8):
//! the deploy engine turns a violation into a `stalled` reason, the clients
//! refuse to send it.

use coffer_core::remote::ManagerKind;

/// AWS Secrets Manager's largest value: 65,536 bytes.
pub const AWS_MAX_VALUE_BYTES: usize = 65_536;
/// AWS Secrets Manager's longest name.
pub const AWS_MAX_NAME_CHARS: usize = 512;
/// Azure Key Vault's largest value: 25 KB.
pub const AZURE_MAX_VALUE_BYTES: usize = 25 * 1024;
/// Azure Key Vault's longest secret name.
pub const AZURE_MAX_NAME_CHARS: usize = 127;

/// Why a service would refuse a name or value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitViolation {
    /// The value is larger than the service takes.
    #[error("the value is {size} bytes; {service} takes at most {max} bytes")]
    TooLarge {
        /// The service's name.
        service: &'static str,
        /// The value's size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The name is empty, too long or has characters the service refuses.
    #[error("the name {name:?} is not allowed by {service}: {rule}")]
    BadName {
        /// The service's name.
        service: &'static str,
        /// The name.
        name: String,
        /// The service's rule.
        rule: &'static str,
    },
}

const AWS_NAME_RULE: &str = "1 to 512 characters of A-Z, a-z, 0-9 and /_+=.@-";
const AZURE_NAME_RULE: &str = "1 to 127 characters of A-Z, a-z, 0-9 and -";

/// Checks a remote name and value against the service's limits.
pub fn check(kind: ManagerKind, name: &str, value_len: usize) -> Result<(), LimitViolation> {
    check_name(kind, name)?;
    let (service, max) = match kind {
        ManagerKind::Aws => ("AWS Secrets Manager", AWS_MAX_VALUE_BYTES),
        ManagerKind::Azure => ("Azure Key Vault", AZURE_MAX_VALUE_BYTES),
    };
    if value_len > max {
        return Err(LimitViolation::TooLarge {
            service,
            size: value_len,
            max,
        });
    }
    Ok(())
}

/// Checks a remote name against the service's rule.
pub fn check_name(kind: ManagerKind, name: &str) -> Result<(), LimitViolation> {
    let (service, rule, max, extra): (_, _, _, &[char]) = match kind {
        ManagerKind::Aws => (
            "AWS Secrets Manager",
            AWS_NAME_RULE,
            AWS_MAX_NAME_CHARS,
            &['/', '_', '+', '=', '.', '@', '-'],
        ),
        ManagerKind::Azure => (
            "Azure Key Vault",
            AZURE_NAME_RULE,
            AZURE_MAX_NAME_CHARS,
            &['-'],
        ),
    };
    let length = name.chars().count();
    let allowed = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c));
    if length == 0 || length > max || !allowed {
        return Err(LimitViolation::BadName {
            service,
            name: name.to_owned(),
            rule,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_takes_65536_bytes_and_not_one_more() {
        assert_eq!(
            check(ManagerKind::Aws, "db/password", AWS_MAX_VALUE_BYTES),
            Ok(())
        );
        assert_eq!(
            check(ManagerKind::Aws, "db/password", AWS_MAX_VALUE_BYTES + 1),
            Err(LimitViolation::TooLarge {
                service: "AWS Secrets Manager",
                size: 65_537,
                max: 65_536
            })
        );
    }

    #[test]
    fn azure_takes_25_kb_and_letters_digits_dashes() {
        assert_eq!(check(ManagerKind::Azure, "db-password", 25 * 1024), Ok(()));
        assert!(matches!(
            check(ManagerKind::Azure, "db-password", 25 * 1024 + 1),
            Err(LimitViolation::TooLarge { max: 25_600, .. })
        ));
        for bad in ["db/password", "db_password", "", "é"] {
            assert!(
                matches!(
                    check_name(ManagerKind::Azure, bad),
                    Err(LimitViolation::BadName { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(check_name(ManagerKind::Azure, &"a".repeat(128)).is_err());
    }

    #[test]
    fn aws_names_allow_paths_and_refuse_colons_and_spaces() {
        assert_eq!(
            check_name(ManagerKind::Aws, "prod/db+main=1.x@y_z-w"),
            Ok(())
        );
        for bad in ["db:password", "db password", "db#key", "", &"a".repeat(513)] {
            assert!(check_name(ManagerKind::Aws, bad).is_err(), "{bad:?}");
        }
    }
}
