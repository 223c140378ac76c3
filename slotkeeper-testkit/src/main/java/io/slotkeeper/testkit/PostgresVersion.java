package io.slotkeeper.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Picks the PostgreSQL major version a test class runs against when it uses {@link
 * PostgresExtension}. An explicit {@code PostgresExtension.builder().version(n)} wins over this
 * annotation; without either the system property {@code slotkeeper.pg.version} (default 17)
 * decides.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface PostgresVersion {
  /** Major version, e.g. {@code 15}. */
  int value();
}
