package io.babelflow.schemas;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How every BabelFlow component reaches Kafka: the bootstrap servers plus an optional client
 * properties file (security.protocol, sasl.*, ssl.* ...) passed through unchanged, so a real
 * multi-broker cluster with TLS/SASL replaces the embedded broker without code changes.
 */
public record ClientConfig(String bootstrapServers, Map<String, String> overrides) {

    public ClientConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new InvalidInputException("--bootstrap-servers is empty; give HOST:PORT[,HOST:PORT...]");
        }
        for (String server : bootstrapServers.split(",")) {
            int colon = server.lastIndexOf(':');
            if (colon <= 0 || !server.substring(colon + 1).trim().matches("\\d{1,5}")) {
                throw new InvalidInputException("--bootstrap-servers entry '" + server.trim()
                        + "' is not HOST:PORT");
            }
        }
        overrides = Map.copyOf(overrides);
    }

    public static ClientConfig of(String bootstrapServers) {
        return new ClientConfig(bootstrapServers, Map.of());
    }

    /** Bootstrap servers plus the properties of {@code clientPropertiesFile} (may be null). */
    public static ClientConfig load(String bootstrapServers, Path clientPropertiesFile) {
        Map<String, String> overrides = new TreeMap<>();
        if (clientPropertiesFile != null) {
            if (!Files.isRegularFile(clientPropertiesFile)) {
                throw new InvalidInputException("client properties file " + clientPropertiesFile + " does not exist");
            }
            Properties props = new Properties();
            try (Reader in = Files.newBufferedReader(clientPropertiesFile)) {
                props.load(in);
            } catch (IOException e) {
                throw new InvalidInputException("cannot read client properties " + clientPropertiesFile + ": "
                        + e.getMessage(), e);
            }
            props.stringPropertyNames().forEach(k -> overrides.put(k, props.getProperty(k)));
        }
        return new ClientConfig(bootstrapServers, overrides);
    }

    /** Base client properties: bootstrap servers, then the pass-through overrides. */
    public Properties properties() {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.putAll(overrides);
        return props;
    }

    /** {@link #properties()} with component defaults underneath: the user's file wins. */
    public Properties properties(Map<String, ?> defaults) {
        Properties props = new Properties();
        props.putAll(defaults);
        props.putAll(properties());
        return props;
    }
}
