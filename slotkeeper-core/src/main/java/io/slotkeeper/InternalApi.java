package io.slotkeeper;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a type or member that is public only so that Slotkeeper's own packages and modules can
 * reach it. Not for users: it may change or disappear in any release without notice. Everything in
 * the engine's {@code internal} package and its subpackages is internal whether marked or not; the
 * public API is {@code io.slotkeeper}, {@code io.slotkeeper.javadsl} and {@code
 * io.slotkeeper.pgoutput}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD})
public @interface InternalApi {}
