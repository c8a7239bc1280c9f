package dev.chatlayer.support;

/** The {@code limit} query parameter of a paged list, parsed defensively (400 naming it, never a 500). */
public final class PageSize {

    private PageSize() {
    }

    /** {@code defaultSize} when absent; 400 on {@code limit} unless a whole number from 1 to {@code max}. */
    public static int parse(String limitParam, int defaultSize, int max) {
        if (limitParam == null || limitParam.isBlank()) {
            return defaultSize;
        }
        try {
            int limit = Integer.parseInt(limitParam.trim());
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badInput("limit", "must be a whole number from 1 to " + max);
    }
}
