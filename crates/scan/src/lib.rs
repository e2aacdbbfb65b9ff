//! fnwarden scan: walks a project, runs every analyser in parallel, links IaC triggers to code sinks
