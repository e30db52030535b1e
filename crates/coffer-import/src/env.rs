//! `.env` files (and flat JSON objects): one key/value secret for the whole
//! file, or one secret per variable. The parsing is the core's.

use coffer_core::import::{ImportBatch, ImportItem};
use coffer_core::secret::{KeyValue, NewSecret, SecretData, parse_key_values};

use crate::names::{Namer, with_original};
use crate::{EnvMode, Error, ReadOptions};

pub(crate) fn read(bytes: &[u8], options: &ReadOptions) -> Result<ImportBatch, Error> {
    let entries = parse_key_values(bytes).map_err(|e| Error::malformed("env", e.to_string()))?;
    let mut batch = ImportBatch {
        format: "env".into(),
        ..ImportBatch::default()
    };
    let mut namer = Namer::default();
    let org = options.org.as_deref();
    match &options.env {
        EnvMode::OneSecret { name } => {
            let named = namer
                .name(org, name)
                .ok_or_else(|| Error::option("name", "has no letter or digit"))?;
            let count = entries.len();
            let data = SecretData::KeyValue(KeyValue { entries });
            let mut secret = options.secret(named.name, data);
            secret.description = with_original("", named.original.as_deref());
            let mut item = ImportItem::new(format!("{count} variables"), secret);
            item.original_name = named.original;
            batch.items.push(item);
        }
        EnvMode::PerVariable => {
            for (key, value) in entries {
                let source = format!("variable {key}");
                let Some(named) = namer.name(org, &key) else {
                    batch.unreadable.push(coffer_core::import::Unreadable {
                        source,
                        code: "bad_name",
                        reason: "the variable's name has no letter or digit".into(),
                    });
                    continue;
                };
                let data = SecretData::KeyValue(KeyValue {
                    entries: vec![(key.clone(), value)],
                });
                let mut secret: NewSecret = options.secret(named.name, data);
                secret.description = with_original("", named.original.as_deref());
                let mut item = ImportItem::new(source, secret);
                item.original_name = named.original;
                batch.items.push(item);
            }
        }
    }
    Ok(batch)
}
