package dev.segue.engine.config;

/** A model config that is malformed or inconsistent, with the offending key in the message. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
