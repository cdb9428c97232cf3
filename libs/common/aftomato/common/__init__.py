"""What two or more services need: messages, states, settings, logging, bus, runner."""
