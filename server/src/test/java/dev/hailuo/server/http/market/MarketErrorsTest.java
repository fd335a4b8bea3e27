package dev.hailuo.server.http.market;

import dev.hailuo.core.error.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MarketErrorsTest {
    /** kie's documented body codes (section 7.1), plus 409 and 413, which kie has no word for. */
    private static final Set<Integer> MARKET_CODES = Set.of(400, 401, 402, 404, 405, 409, 413, 422, 429, 500);

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyErrorHasAMarketCode(ErrorCode code) {
        assertThat(MarketErrors.UPLOADS.code(code)).isIn(MARKET_CODES);
        assertThat(MarketErrors.TASKS.code(code)).isIn(MARKET_CODES);
    }

    @Test
    void badParametersAre400ForUploadsAnd422ForTasks() {
        assertThat(MarketErrors.UPLOADS.code(ErrorCode.VALIDATION_FAILED)).isEqualTo(400);
        assertThat(MarketErrors.TASKS.code(ErrorCode.VALIDATION_FAILED)).isEqualTo(422);
        assertThat(MarketErrors.UPLOADS.code(ErrorCode.UNSUPPORTED_MEDIA_TYPE)).isEqualTo(400);
    }

    @Test
    void theRestIsTheSameForBoth() {
        for (MarketErrors errors : new MarketErrors[] {MarketErrors.UPLOADS, MarketErrors.TASKS}) {
            assertThat(errors.code(ErrorCode.API_KEY_MISSING)).isEqualTo(401);
            assertThat(errors.code(ErrorCode.API_KEY_INVALID)).isEqualTo(401);
            assertThat(errors.code(ErrorCode.API_KEY_REVOKED)).isEqualTo(401);
            assertThat(errors.code(ErrorCode.API_KEY_EXPIRED)).isEqualTo(401);
            assertThat(errors.code(ErrorCode.API_SCOPE_DENIED)).isEqualTo(401);
            assertThat(errors.code(ErrorCode.INSUFFICIENT_CREDITS)).isEqualTo(402);
            assertThat(errors.code(ErrorCode.NOT_FOUND)).isEqualTo(404);
            assertThat(errors.code(ErrorCode.MEDIA_EXPIRED)).isEqualTo(404);
            assertThat(errors.code(ErrorCode.METHOD_NOT_ALLOWED)).isEqualTo(405);
            assertThat(errors.code(ErrorCode.IDEMPOTENCY_CONFLICT)).isEqualTo(409);
            assertThat(errors.code(ErrorCode.PAYLOAD_TOO_LARGE)).isEqualTo(413);
            assertThat(errors.code(ErrorCode.RATE_LIMITED)).isEqualTo(429);
            assertThat(errors.code(ErrorCode.INTERNAL_ERROR)).isEqualTo(500);
        }
    }

    @Test
    void theHttpStatusIs200ExceptFor401And429() {
        assertThat(MarketErrors.httpStatus(401)).isEqualTo(401);
        assertThat(MarketErrors.httpStatus(429)).isEqualTo(429);
        for (int code : new int[] {400, 402, 404, 405, 409, 413, 422, 500}) {
            assertThat(MarketErrors.httpStatus(code)).isEqualTo(200);
        }
    }

    @Test
    void theUploadEnvelopeCarriesSuccessAndTheTaskEnvelopeDoesNot() {
        assertThat(MarketEnvelope.UPLOADS.failure(400, "bad").toString())
                .isEqualTo("{\"success\":false,\"code\":400,\"msg\":\"bad\",\"data\":null}");
        assertThat(MarketEnvelope.TASKS.failure(422, "bad").toString()).isEqualTo("{\"code\":422,\"msg\":\"bad\",\"data\":null}");
    }
}
