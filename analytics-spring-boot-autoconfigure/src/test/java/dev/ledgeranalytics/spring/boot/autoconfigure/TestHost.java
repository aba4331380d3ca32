package dev.ledgeranalytics.spring.boot.autoconfigure;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** A host application as small as Spring Boot allows: everything comes from auto-configuration. */
@SpringBootConfiguration
@EnableAutoConfiguration
class TestHost {}
