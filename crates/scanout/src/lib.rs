//! fnwarden scan outputs: readable report, JSON, SARIF 2.1.0, SonarQube generic issues; suppressions and baselines
