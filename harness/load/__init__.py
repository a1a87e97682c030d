"""Load generation (locust in its own subprocess) and the sample recorder."""
