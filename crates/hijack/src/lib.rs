//! Runtime-hijack and persistence code rules for fnwarden scan
