//! Configuration and IAM checks for fnwarden scan: privilege, exposure, Denial-of-Wallet, runtimes, environment
