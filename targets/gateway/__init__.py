"""Gateway: one entry point that routes /predict to inference instances by architecture policy."""
