"""What two or more Aftomato services need: messages, states, settings, logging, the bus, the runner."""
