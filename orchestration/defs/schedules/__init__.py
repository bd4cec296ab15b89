"""Jobs, schedules and the run decision."""
