//! Deployments of local secrets into external key vaults (IMCO's secret
//! states) and links of imported ("brownfield") secrets.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;

/// IMCO's states of a deployed secret.
///
/// `start → deploying → available`; a new local version moves an
/// available deployment to `updating_versions` and back to `available`
/// once pushed; a push whose retries are spent ends in `updating_error`
/// (or `deploying` stays the state of a first push that can be retried);
/// `stalled` waits for the user (a name taken by an untagged remote secret,
/// an oversize value, a name the service refuses); `decommissioning → end`
/// deletes it remotely.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentState {
    /// Recorded, nothing sent yet.
    Start,
    /// The first version is being written.
    Deploying,
    /// The remote holds the local secret's current version.
    Available,
    /// A newer local version is being pushed.
    UpdatingVersions,
    /// Pushing failed after its retries; Retry pushes again.
    UpdatingError,
    /// Being deleted remotely.
    Decommissioning,
    /// Waiting for the user (see the deployment's error).
    Stalled,
    /// Deleted remotely; kept for the record.
    End,
}

/// What happens to a deployment; [`DeploymentState::on`] says where each
/// moves it. Everything else asks that one function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentEvent {
    /// The engine starts the first push.
    Begin,
    /// A version was written (or found already written by its token).
    Pushed,
    /// The local secret has a newer version than the remote holds.
    NewVersion,
    /// A push failed and its retries are spent.
    Failed,
    /// A push cannot go on without the user (see the reason).
    Stall,
    /// The user asks to try again (IMCO `retry`); `pushed_before` tells a
    /// first deployment from an update.
    Retry {
        /// Whether some version was pushed already.
        pushed_before: bool,
    },
    /// The user lets Coffer write over a remote secret it did not create.
    Adopt,
    /// The user asks to delete the remote secret.
    Decommission,
    /// The remote secret was deleted (or, for an import link Coffer does
    /// not manage, the link was let go).
    Removed,
}

impl DeploymentState {
    /// The state `event` moves this one to, or `None` when it does not
    /// apply here.
    pub fn on(self, event: DeploymentEvent) -> Option<Self> {
        use DeploymentEvent as E;
        use DeploymentState as S;
        match (self, event) {
            (S::Start, E::Begin) => Some(S::Deploying),
            (S::Deploying | S::UpdatingVersions, E::Pushed) => Some(S::Available),
            (S::Available, E::NewVersion) => Some(S::UpdatingVersions),
            (S::Deploying | S::UpdatingVersions, E::Failed) => Some(S::UpdatingError),
            (S::Start | S::Deploying | S::UpdatingVersions, E::Stall) => Some(S::Stalled),
            (S::UpdatingError | S::Stalled, E::Retry { pushed_before }) => Some(if pushed_before {
                S::UpdatingVersions
            } else {
                S::Deploying
            }),
            (S::Stalled, E::Adopt) => Some(S::Deploying),
            (S::Available, E::Adopt) => Some(S::Available),
            (S::End | S::Decommissioning, E::Decommission) => None,
            (_, E::Decommission) => Some(S::Decommissioning),
            (S::Decommissioning, E::Removed) => Some(S::End),
            // A failed delete stays decommissioning and is tried again.
            (S::Decommissioning, E::Failed) => Some(S::Decommissioning),
            _ => None,
        }
    }
}

/// Every state, in the order above.
pub const DEPLOYMENT_STATES: [DeploymentState; 8] = [
    DeploymentState::Start,
    DeploymentState::Deploying,
    DeploymentState::Available,
    DeploymentState::UpdatingVersions,
    DeploymentState::UpdatingError,
    DeploymentState::Decommissioning,
    DeploymentState::Stalled,
    DeploymentState::End,
];

impl DeploymentState {
    /// The state as stored and shown (`updating_versions`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Deploying => "deploying",
            Self::Available => "available",
            Self::UpdatingVersions => "updating_versions",
            Self::UpdatingError => "updating_error",
            Self::Decommissioning => "decommissioning",
            Self::Stalled => "stalled",
            Self::End => "end",
        }
    }

    /// Parses [`DeploymentState::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        DEPLOYMENT_STATES.into_iter().find(|s| s.as_str() == text)
    }
}

/// Where a deployment goes.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentTarget {
    /// The connection's name.
    pub manager: String,
    /// The name wanted in the key vault (IMCO `desired_remote_id`).
    pub remote_name: String,
}

/// One local version as pushed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeploymentVersion {
    /// The local version number.
    pub version: u32,
    /// The remote version's id (AWS `VersionId`, Azure version).
    pub remote_version: String,
    /// When it was pushed.
    pub pushed_at: Timestamp,
    /// Whether it is the remote's current version (IMCO `last`).
    pub last: bool,
}

/// A local secret's deployment (or import link) in one connection.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deployment {
    /// Its row id.
    pub id: i64,
    /// The local secret's organization.
    pub org: String,
    /// The local secret's name.
    pub secret: String,
    /// Where it goes.
    #[serde(flatten)]
    pub target: DeploymentTarget,
    /// The remote's own id (an ARN, an Azure secret id), once known.
    pub remote_id: Option<String>,
    /// IMCO's state.
    pub state: DeploymentState,
    /// Imported from the key vault rather than created by Coffer.
    pub brownfield: bool,
    /// Coffer may write to the remote secret: it created it, or the user
    /// adopted it.
    pub managed: bool,
    /// The last failure or the reason it is stalled (never a value).
    pub last_error: Option<String>,
    /// Attempts of the current step.
    pub attempts: u32,
    /// Versions pushed, oldest first.
    pub versions: Vec<DeploymentVersion>,
    /// When it was recorded.
    pub created_at: Timestamp,
    /// When its state last changed.
    pub updated_at: Timestamp,
}

/// The remote secret a local secret was imported from.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteLink {
    /// The connection.
    pub manager: String,
    /// The remote secret's name.
    pub remote_name: String,
    /// Its remote id.
    pub remote_id: Option<String>,
    /// The remote version imported.
    pub remote_version: Option<String>,
}
