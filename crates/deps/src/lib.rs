//! Dependency manifests and the offline OSV database for fnwarden scan
