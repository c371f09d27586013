"""Pure matching: normalise text, find watched actors and events, apply rules. No I/O."""
