package dev.chatlayer.support;

import java.util.List;

/** The one list shape of every API: a cursor is opaque to clients and null on the last page. */
public record Page<T>(List<T> items, String nextCursor) {
}
