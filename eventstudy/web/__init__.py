"""The read-only web face of the event database (``eventstudy serve``), built on Datasette."""
