"""The nightly pipeline: run configuration, the steps (jobs plus fingerprints, run log and lock) and the APScheduler scheduler."""
