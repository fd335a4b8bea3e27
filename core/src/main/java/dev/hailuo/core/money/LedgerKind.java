package dev.hailuo.core.money;

/** The kinds of credit movement (PRODUCT.md section 5). */
public enum LedgerKind {
    GRANT, ADJUSTMENT, RESERVE, CAPTURE, RELEASE;

    public String dbName() {
        return name().toLowerCase();
    }
}
