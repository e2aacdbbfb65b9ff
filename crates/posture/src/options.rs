use time::{Date, OffsetDateTime};

/// What the posture checks need to know beyond the project, and the thresholds they judge by.
/// docs/scan-posture.md says why each default is what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct PostureOptions {
    /// The day runtime end-of-support dates are compared with.
    pub today: Date,
    /// AWS account ids that are yours: trust principals, permission principals and layer ARNs in
    /// them are not "foreign". Empty means every literal account id is foreign.
    pub own_accounts: Vec<String>,
    /// A function timeout above this (seconds) is excessive.
    pub max_timeout_secs: u64,
    /// For functions behind API Gateway or an ALB: those give up on the client after ~30 s, so a
    /// longer timeout only bills work nobody waits for.
    pub max_http_timeout_secs: u64,
    /// A memory size above this (MB) is excessive.
    pub max_memory_mb: u64,
    /// A stream or queue batch size above this is excessive.
    pub max_batch_size: u64,
    /// A runtime whose end of support is at most this many days away is "deprecating soon".
    pub runtime_warning_days: u32,
}

impl Default for PostureOptions {
    fn default() -> PostureOptions {
        PostureOptions {
            today: OffsetDateTime::now_utc().date(),
            own_accounts: Vec::new(),
            max_timeout_secs: 300,
            max_http_timeout_secs: 30,
            max_memory_mb: 3008,
            max_batch_size: 1000,
            runtime_warning_days: 180,
        }
    }
}

impl PostureOptions {
    pub(crate) fn is_own_account(&self, id: &str) -> bool {
        self.own_accounts.iter().any(|own| own == id)
    }
}
