package dev.hailuo.server.http.rivya;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.files.FileKind;
import dev.hailuo.core.files.UploadPolicy;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.server.http.Json;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import dev.hailuo.server.support.Uploads;
import dev.hailuo.server.support.WebhookReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The OpenAPI document served at {@code /api/v1/openapi.json} against the live gateway: every
 * response a client can observe here is validated against the schema the document declares for
 * that path, method and status (looked up through {@code paths}, never by schema name), so a
 * drift between the document and the server fails the build.
 */
class OpenApiContractTest {
    /** The document's base IRI for the validator: only used to resolve the document's own {@code #/...} references. */
    private static final String DOC_URI = "https://hailuo-gateway.test/api/v1/openapi.json";
    private static final String GENERATIONS = "/api/v1/generations";
    private static final String GENERATION = "/api/v1/generations/{id}";
    private static final String CANCEL = "/api/v1/generations/{id}/cancel";
    private static final String CONTENT = "/api/v1/generations/{id}/content";
    private static final String CREDITS = "/api/v1/credits";
    private static final String MODELS = "/api/v1/models";
    private static final String OPENAPI = "/api/v1/openapi.json";
    private static final String FILES = "/api/v1/files";
    private static final String FILE = "/api/v1/files/{id}";
    private static final Duration TASK_TIMEOUT = Duration.ofSeconds(30);
    /** Image-to-video renders the reference images into every frame: give it more time than text-to-video. */
    private static final Duration IMAGE_TASK_TIMEOUT = Duration.ofSeconds(90);
    private static final UploadPolicy UPLOADS = new UploadPolicy();
    /**
     * Appended to the prompts of generations whose outcome does not matter: the sandbox then
     * skips rendering, so the two or so render threads stay free for the generations that do.
     */
    private static final String NO_RENDER = " [sandbox:fail]";

    @TempDir
    static Path dir;

    private static TestGateway gateway;
    private static TestAccount account;
    private static JsonNode doc;
    private static JsonSchemaFactory factory;
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        gateway = TestGateway.start(dir);
        account = gateway.createAccount("contract", 1_000_000);
        HttpResponse<String> served = gateway.get(OPENAPI, null);
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        doc = TestGateway.json(served);
        // The document's top level is OpenAPI, not JSON Schema: declare its keywords so the validator ignores them quietly.
        JsonMetaSchema dialect = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                .keywords(List.of("openapi", "jsonSchemaDialect", "info", "servers", "security", "tags", "paths", "components")
                        .stream().map(NonValidationKeyword::new).toList())
                .build();
        factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                b -> b.metaSchema(dialect).schemaLoaders(l -> l.schemas(Map.of(DOC_URI, served.body()))));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    // ---------------------------------------------------------------- the document itself

    @Test
    void documentIsAnOpenApi31ContractOfTheRivyaRoutes() {
        assertConforms(OPENAPI, "get", gateway.get(OPENAPI, null));
        assertThat(doc.path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(names(doc.path("paths"))).contains(
                MODELS, GENERATIONS, GENERATION, CANCEL, CONTENT, FILES, FILE, CREDITS, OPENAPI);
        assertThat(doc.at("/components/securitySchemes/bearerAuth/scheme").asText()).isEqualTo("bearer");
        for (String name : List.of("Generation", "CreateGenerationRequest", "ModelList", "Model", "Credits", "Error",
                "PublicApiFile", "ReferenceMediaItem", "FileUploadRequest")) {
            assertThat(doc.at("/components/schemas/" + name).isObject()).as(name).isTrue();
        }

        // Every reference points somewhere, and every named schema compiles.
        List<String> dangling = new ArrayList<>();
        collectRefs(doc, dangling);
        assertThat(dangling).as("dangling $ref").isEmpty();
        names(doc.at("/components/schemas")).forEach(name -> schema("/components/schemas/" + name));

        // The idempotency header is declared on every POST.
        for (String path : List.of(GENERATIONS, CANCEL, FILES)) {
            assertThat(parameters(path, "post")).as(path).anySatisfy(p -> {
                assertThat(p.path("name").asText()).isEqualTo("Idempotency-Key");
                assertThat(p.path("in").asText()).isEqualTo("header");
            });
        }

        // The Files API: the scopes Rivya names, and the multipart fields RivyaFiles reads.
        assertThat(doc.at("/paths/" + escape(FILES) + "/post/security/0/bearerAuth/0").asText()).isEqualTo("files:create");
        assertThat(doc.at("/paths/" + escape(FILE) + "/get/security/0/bearerAuth/0").asText()).isEqualTo("files:read");
        String upload = follow("/paths/" + escape(FILES) + "/post/requestBody/content/multipart~1form-data/schema");
        assertThat(names(doc.at(upload + "/properties"))).containsExactlyInAnyOrder("file", "kind", "model", "client_request_id");
        assertThat(texts(doc.at(upload + "/required"))).containsExactlyInAnyOrder("file", "kind");
        assertThat(doc.at(upload + "/properties/client_request_id/maxLength").asInt()).isEqualTo(RivyaFiles.MAX_CLIENT_REQUEST_ID);
        assertThat(doc.at("/components/schemas/PublicApiFile/properties/client_request_id/maxLength").asInt())
                .isEqualTo(RivyaFiles.MAX_CLIENT_REQUEST_ID);
        assertThat(doc.at(upload + "/properties/file/type").asText()).isEqualTo("string");
    }

    @Test
    void enumerationsMatchTheCodesTheServerCanProduce() {
        Set<String> errorCodes = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).collect(Collectors.toSet());
        assertThat(texts(doc.at("/components/schemas/Error/properties/error/properties/code/enum")))
                .containsExactlyInAnyOrderElementsOf(errorCodes);
        Set<String> failureCodes = Arrays.stream(FailureCode.values()).map(FailureCode::code).collect(Collectors.toSet());
        assertThat(texts(doc.at("/components/schemas/Generation/properties/error/properties/code/enum")))
                .containsExactlyInAnyOrderElementsOf(failureCodes);
        JsonNode models = TestGateway.json(gateway.get("/api/v1/models", null));
        List<String> ids = new ArrayList<>();
        models.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertThat(texts(doc.at("/components/schemas/CreateGenerationRequest/properties/model/enum")))
                .containsExactlyInAnyOrderElementsOf(ids);

        // Files: kinds and MIME types are the upload policy's; the optional model is any model.
        String upload = follow("/paths/" + escape(FILES) + "/post/requestBody/content/multipart~1form-data/schema");
        List<String> kinds = Arrays.stream(FileKind.values()).map(FileKind::wireName).toList();
        assertThat(texts(doc.at(upload + "/properties/kind/enum"))).containsExactlyInAnyOrderElementsOf(kinds);
        assertThat(texts(doc.at(upload + "/properties/model/enum"))).containsExactlyInAnyOrderElementsOf(ids);
        String file = follow(responsePointer(FILES, "post", 200, "upload") + "/content/application~1json/schema");
        assertThat(texts(doc.at(file + "/properties/kind/enum"))).containsExactlyInAnyOrderElementsOf(kinds);
        assertThat(texts(doc.at(file + "/properties/mime_type/enum"))).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(FileKind.values()).flatMap(k -> UPLOADS.types(k).stream()).toList());
        for (JsonNode branch : doc.at(file + "/allOf")) {
            FileKind kind = FileKind.fromWire(branch.at("/if/properties/kind/const").asText()).orElseThrow();
            assertThat(texts(branch.at("/then/properties/mime_type/enum"))).as(kind.wireName())
                    .containsExactlyInAnyOrderElementsOf(UPLOADS.types(kind));
        }

        // referenceMediaItems per model: the catalog's count, and only kinds the model accepts.
        Catalog catalog = Catalog.load();
        JsonNode branches = doc.at("/components/schemas/CreateGenerationRequest/allOf");
        assertThat(branches.size()).isEqualTo(catalog.all().size());
        for (int i = 0; i < branches.size(); i++) {
            String modelId = branches.get(i).at("/if/properties/model/const").asText();
            Model model = catalog.all().stream().filter(m -> m.rivyaId().equals(modelId)).findFirst().orElseThrow();
            String params = follow("/components/schemas/CreateGenerationRequest/allOf/" + i + "/then/properties/params");
            JsonNode items = doc.at(params + "/properties/referenceMediaItems");
            assertThat(items.path("maxItems").asInt()).as(model.rivyaId()).isEqualTo(model.maxReferenceImages());
            String item = follow(params + "/properties/referenceMediaItems/items");
            List<String> itemKinds = new ArrayList<>();
            doc.at(item + "/properties/kind/enum").forEach(k -> {
                if (!k.isNull()) {
                    itemKinds.add(k.asText());
                }
            });
            assertThat(itemKinds).as(model.rivyaId())
                    .containsExactlyInAnyOrderElementsOf(model.reference().kinds().stream().map(FileKind::wireName).toList());
        }
    }

    @Test
    void everyDocumentedOperationIsRoutedOnTheLiveServer() {
        HttpResponse<String> unrouted = gateway.send("GET", "/api/v1/no-such-route", account.key(), null, Map.of());
        assertThat(unrouted.statusCode()).isEqualTo(404);
        String routeNotFound = TestGateway.json(unrouted).at("/error/message").asText();

        for (String path : names(doc.path("paths"))) {
            for (String method : names(doc.path("paths").path(path))) {
                if (method.equals("parameters")) {
                    continue;
                }
                String url = path.replace("{id}", "task_00000000000000000000000000");
                String body = method.equals("post") ? "{}" : null;
                HttpResponse<String> response = gateway.send(method.toUpperCase(), url, account.key(), body, Map.of());
                if (response.statusCode() == 404) {
                    assertThat(TestGateway.json(response).at("/error/message").asText())
                            .as("%s %s is not routed", method, path).isNotEqualTo(routeNotFound);
                }
                if (!path.equals(CONTENT) || response.statusCode() != 200) {
                    assertConforms(path, method, response);
                }
            }
        }
    }

    // ---------------------------------------------------------------- models and credits

    @Test
    void modelsConformWithAndWithoutAKey() {
        JsonNode anonymous = assertConforms(MODELS, "get", gateway.get(MODELS, null));
        assertThat(anonymous.path("data").size()).isPositive();
        HttpResponse<String> keyed = gateway.get(MODELS, account.key());
        assertConforms(MODELS, "get", keyed);
        assertThat(keyed.headers().firstValue("RateLimit-Limit")).isPresent();
    }

    /** /models advertises every catalog mode and price, and the reference rules the gateway enforces. */
    @Test
    void modelsAdvertiseWhatTheCatalogAndTheUploadPolicyEnforce() {
        JsonNode live = assertConforms(MODELS, "get", gateway.get(MODELS, null));
        Catalog catalog = Catalog.load();
        assertThat(live.path("data").size()).isEqualTo(catalog.all().size());
        for (Model model : catalog.all()) {
            JsonNode m = null;
            for (JsonNode candidate : live.path("data")) {
                if (candidate.path("id").asText().equals(model.rivyaId())) {
                    m = candidate;
                }
            }
            assertThat(m).as(model.rivyaId()).isNotNull();
            assertThat(texts(m.path("supported_modes"))).containsExactlyElementsOf(model.modes().stream().map(Mode::wireName).toList());
            assertThat(m.path("prices").size()).isEqualTo(model.prices().size());
            for (var price : model.prices()) {
                assertThat(m.path("prices")).as("%s %s", model.rivyaId(), price).anySatisfy(p -> {
                    assertThat(p.path("mode").asText()).isEqualTo(price.mode().wireName());
                    assertThat(p.path("resolution").asText()).isEqualTo(price.resolution());
                    assertThat(p.path("duration").asInt()).isEqualTo(price.duration());
                    assertThat(p.path("credits").asLong()).isEqualTo(price.credits());
                });
            }
            JsonNode media = m.path("reference_media");
            List<String> kinds = model.reference().kinds().stream().map(FileKind::wireName).toList();
            assertThat(texts(media.path("kinds"))).containsExactlyElementsOf(kinds);
            assertThat(media.path("max_files").asInt()).isEqualTo(model.maxReferenceImages());
            assertThat(media.path("max_bytes").asLong())
                    .isEqualTo(model.reference().kinds().stream().mapToLong(UPLOADS::maxBytes).max().orElseThrow());
            assertThat(texts(media.path("mime_types")))
                    .containsExactlyElementsOf(model.reference().kinds().stream().flatMap(k -> UPLOADS.types(k).stream()).toList());
            assertThat(media.at("/image/short_side_greater_than_px").asInt()).isEqualTo(model.reference().minShortSideExclusive());
            assertThat(media.at("/image/aspect_ratio_min").asText())
                    .isEqualTo(model.reference().aspectMin()[0] + ":" + model.reference().aspectMin()[1]);
            assertThat(media.at("/image/aspect_ratio_max").asText())
                    .isEqualTo(model.reference().aspectMax()[0] + ":" + model.reference().aspectMax()[1]);
            assertThat(media.at("/image/max_pixels").asLong()).isEqualTo(UploadPolicy.MAX_IMAGE_PIXELS);
            assertThat(texts(media.path("item_roles"))).containsExactly("first_frame", "last_frame");
            assertThat(media.path("rule").asText()).contains("last frame");
            // External URLs work for every reference mode, so nothing requires the Files API.
            assertThat(m.path("api_input_status").asText()).isEqualTo("available_url_input");
            assertThat(texts(m.path("supported_api_inputs"))).containsExactly("text", "file", "url");
            assertThat(m.path("requires_files_api").asBoolean()).isFalse();
            assertThat(m.path("requires_upload_for_modes").isEmpty()).isTrue();
            assertThat(m.path("url_input_supported").asBoolean()).isTrue();
            assertThat(texts(m.path("file_kinds"))).containsExactlyElementsOf(kinds);
        }
    }

    @Test
    void creditsConform() {
        TestAccount fresh = gateway.createAccount("credits", 321);
        JsonNode credits = assertConforms(CREDITS, "get", gateway.get(CREDITS, fresh.key()));
        assertThat(credits.path("current_credits").asLong()).isEqualTo(321);
        assertThat(credits.path("reserved_credits").asLong()).isZero();
    }

    // ---------------------------------------------------------------- the create request schema

    /**
     * Every param option /models advertises, plus some wrong values: the request schema accepts
     * exactly what the live server accepts.
     */
    @Test
    void requestSchemaAcceptsExactlyWhatTheServerAccepts() {
        JsonSchema request = requestSchema(GENERATIONS, "post");
        List<Map<String, Object>> bodies = new ArrayList<>();
        JsonNode models = TestGateway.json(gateway.get(MODELS, null));
        for (JsonNode model : models.path("data")) {
            String id = model.path("id").asText();
            String prompt = "a lighthouse at dusk" + NO_RENDER;
            bodies.add(body(id, prompt, null));
            for (JsonNode param : model.path("params")) {
                for (JsonNode option : param.path("options")) {
                    bodies.add(body(id, prompt, Map.of(param.path("key").asText(), option.asText())));
                }
                bodies.add(body(id, prompt, Map.of(param.path("key").asText(), "not-an-option")));
            }
            bodies.add(body(id, prompt, Map.of("no_such_param", "1")));
            bodies.add(body(id, "x".repeat(model.path("max_prompt_length").asInt() + 1), null));
            bodies.add(body(id, "   ", null));
        }
        bodies.add(body("no-such-model", "a lighthouse", null));
        bodies.add(Map.of("prompt", "no model"));
        bodies.add(Map.of("model", "hailuo-pro"));
        bodies.add(Map.of("model", "hailuo-pro", "prompt", "p", "files", List.of()));
        bodies.add(Map.of("model", "hailuo-pro", "prompt", "p" + NO_RENDER, "params", Map.of("prompt_optimizer", true)));
        bodies.add(Map.of("model", "hailuo-standard", "prompt", "p" + NO_RENDER, "params", Map.of("duration", 10)));
        bodies.add(Map.of("model", "hailuo-pro", "prompt", "line one\r\nline two" + NO_RENDER));
        bodies.add(Map.of("model", "hailuo-pro", "prompt", "line one\nline two\ttab" + NO_RENDER, "client_request_id", "order-1"));
        bodies.add(Map.of("model", "hailuo-pro", "prompt", "p" + NO_RENDER, "client_request_id", "c".repeat(256)));

        // Reference media: an uploaded image, in every shape the item schema allows and some it does not.
        String url = TestGateway.json(Uploads.rivya(gateway, account.key(), "image.png", "image/png", "image", null)).path("url").asText();
        String prompt = "a lighthouse at dusk" + NO_RENDER;
        Map<String, Object> full = new LinkedHashMap<>();
        full.put("url", url);
        full.put("kind", "image");
        full.put("name", "reference.png");
        full.put("mimeType", "image/png");
        full.put("durationSeconds", 2.5);
        full.put("durationToken", null);
        Map<String, Object> nullKind = new HashMap<>();
        nullKind.put("url", url);
        nullKind.put("kind", null);
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", List.of(Map.of("url", url)))));
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", List.of(full, nullKind))));
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", List.of())));
        bodies.add(body("hailuo-standard", prompt, Map.of("resolution", "512P", "referenceMediaItems", List.of(full))));
        bodies.add(body("hailuo-standard", prompt, Map.of("resolution", "768P", "duration", "10",
                "referenceMediaItems", List.of(Map.of("url", url), Map.of("url", url)))));
        bodies.add(body("hailuo-standard", prompt, Map.of("referenceMediaItems", List.of(Map.of("url", url, "kind", "image")))));
        bodies.add(body("hailuo-standard", prompt, Map.of("resolution", "512P", "referenceMediaItems", List.of())));
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", List.of(Map.of("url", url), Map.of("url", url), Map.of("url", url)))));
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", List.of(Map.of("url", url, "role", "first")))));
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", List.of(Map.of("kind", "image")))));
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", List.of(Map.of("url", url, "kind", "document")))));
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", List.of(Map.of("url", url, "durationSeconds", "2")))));
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", List.of(Map.of("url", url, "name", 7)))));
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", List.of(Map.of("url", "ftp://example.com/a.png")))));
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", List.of(url))));
        bodies.add(body("hailuo-pro", prompt, Map.of("referenceMediaItems", Map.of("url", url))));
        Map<String, Object> nullItems = new HashMap<>();
        nullItems.put("referenceMediaItems", null);
        bodies.add(body("hailuo-pro", prompt, nullItems));

        for (Map<String, Object> body : bodies) {
            String json = TestGateway.write(body);
            Set<ValidationMessage> problems = request.validate(parse(json));
            HttpResponse<String> response = gateway.post(GENERATIONS, account.key(), json);
            assertConforms(GENERATIONS, "post", response);
            assertThat(response.statusCode() == 200)
                    .as("server answered %d to %s; the request schema says %s", response.statusCode(), json, problems)
                    .isEqualTo(problems.isEmpty());
        }
    }

    // ---------------------------------------------------------------- generations

    @Test
    void aGenerationConformsAtEveryStageAndItsVideoDownloads() {
        String key = "contract-" + System.nanoTime();
        String body = TestGateway.write(body("hailuo-standard", "A paper boat on a rainy street [sandbox:latency=1500]",
                Map.of("duration", "6", "resolution", "768P", "prompt_optimizer", "true")));
        assertThat(requestSchema(GENERATIONS, "post").validate(parse(body))).isEmpty();

        HttpResponse<String> created = gateway.post(GENERATIONS, account.key(), body, Map.of("Idempotency-Key", key));
        JsonNode task = assertConforms(GENERATIONS, "post", created);
        assertThat(task.path("status").asText()).isEqualTo("queued");
        assertThat(task.path("reserved_credits").asLong()).isEqualTo(30);
        assertThat(created.headers().firstValue("Idempotent-Replayed")).isEmpty();
        String id = task.path("id").asText();

        HttpResponse<String> replay = gateway.post(GENERATIONS, account.key(), body, Map.of("Idempotency-Key", key));
        assertConforms(GENERATIONS, "post", replay);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(replay.body()).isEqualTo(created.body());

        JsonNode running = assertConforms(GENERATION, "get", gateway.get(GENERATIONS + "/" + id, account.key()));
        assertThat(running.path("status").asText()).isIn("queued", "processing");

        // Not finished yet: no content.
        HttpResponse<String> early = gateway.get(GENERATIONS + "/" + id + "/content", account.key());
        assertThat(early.statusCode()).isEqualTo(404);
        assertConforms(CONTENT, "get", early);

        JsonNode done = awaitFinal(id);
        assertThat(done.path("status").asText()).isEqualTo("succeeded");
        assertThat(done.path("final_credits").asLong()).isEqualTo(done.path("reserved_credits").asLong());
        assertThat(done.at("/result/urls/0").asText()).isEqualTo(done.at("/result/primary_url").asText());

        // The whole video, then a range of it, with the headers the document promises.
        HttpResponse<byte[]> video = download(id, null);
        assertThat(video.statusCode()).isEqualTo(200);
        assertBinaryConforms(CONTENT, "get", video);
        assertThat(video.body().length).isGreaterThan(100);
        assertThat(new String(video.body(), 4, 4)).isEqualTo("ftyp");
        HttpResponse<byte[]> range = download(id, "bytes=0-99");
        assertThat(range.statusCode()).isEqualTo(206);
        assertBinaryConforms(CONTENT, "get", range);
        assertThat(range.body()).hasSize(100).isEqualTo(Arrays.copyOf(video.body(), 100));
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes 0-99/" + video.body().length);
        // An open-ended range runs to the end; a suffix range is the last bytes; past the end is 416.
        HttpResponse<byte[]> rest = download(id, "bytes=10-");
        assertThat(rest.statusCode()).isEqualTo(206);
        assertBinaryConforms(CONTENT, "get", rest);
        assertThat(rest.headers().firstValue("Content-Range"))
                .hasValue("bytes 10-" + (video.body().length - 1) + "/" + video.body().length);
        assertThat(rest.body()).isEqualTo(Arrays.copyOfRange(video.body(), 10, video.body().length));
        HttpResponse<byte[]> tail = download(id, "bytes=-100");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertBinaryConforms(CONTENT, "get", tail);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(video.body(), video.body().length - 100, video.body().length));
        HttpResponse<byte[]> beyond = download(id, "bytes=" + video.body().length + "-");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */" + video.body().length);
        HttpResponse<byte[]> reversed = download(id, "bytes=5-2");
        assertThat(reversed.statusCode()).isEqualTo(200);
        assertThat(reversed.body()).isEqualTo(video.body());

        // The signed link needs no key.
        HttpResponse<byte[]> link = gateway.send(HttpRequest.newBuilder(URI.create(done.at("/result/primary_url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(link.statusCode()).isEqualTo(200);
        assertThat(link.body()).isEqualTo(video.body());

        // A finished generation cannot be canceled.
        HttpResponse<String> cancel = gateway.post(GENERATIONS + "/" + id + "/cancel", account.key(), null);
        assertThat(cancel.statusCode()).isEqualTo(409);
        assertThat(assertConforms(CANCEL, "post", cancel).at("/error/code").asText()).isEqualTo("task_not_cancelable");
    }

    @Test
    void aFailedGenerationConforms() {
        JsonNode task = assertConforms(GENERATIONS, "post", gateway.post(GENERATIONS, account.key(),
                TestGateway.write(body("hailuo-pro", "A storm at sea [sandbox:fail]", null))));
        JsonNode failed = awaitFinal(task.path("id").asText());
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.at("/error/code").asText()).isEqualTo("generation_failed");
        assertThat(failed.path("final_credits").asLong()).isZero();
        assertThat(failed.path("reserved_credits").asLong()).isEqualTo(57);
    }

    @Test
    void aCanceledGenerationConforms() {
        // Slow enough to cancel while running; the fail directive only spares the render, cancel comes first.
        JsonNode task = assertConforms(GENERATIONS, "post", gateway.post(GENERATIONS, account.key(),
                TestGateway.write(body("hailuo-pro", "A very slow sunrise [sandbox:latency=60000]" + NO_RENDER, null))));
        String cancelUrl = GENERATIONS + "/" + task.path("id").asText() + "/cancel";
        String key = "cancel-" + System.nanoTime();

        HttpResponse<String> first = gateway.post(cancelUrl, account.key(), null, Map.of("Idempotency-Key", key));
        JsonNode canceled = assertConforms(CANCEL, "post", first);
        assertThat(canceled.path("status").asText()).isEqualTo("failed");
        assertThat(canceled.at("/error/code").asText()).isEqualTo("canceled");
        assertThat(canceled.path("final_credits").asLong()).isZero();

        HttpResponse<String> replay = gateway.post(cancelUrl, account.key(), null, Map.of("Idempotency-Key", key));
        assertConforms(CANCEL, "post", replay);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");

        HttpResponse<String> again = gateway.post(cancelUrl, account.key(), null);
        assertThat(again.statusCode()).isEqualTo(200);
        assertConforms(CANCEL, "post", again);
        assertConforms(GENERATION, "get", gateway.get(GENERATIONS + "/" + task.path("id").asText(), account.key()));
    }

    // ---------------------------------------------------------------- errors

    @Test
    void errorBodiesConformPerStatus() {
        String valid = TestGateway.write(body("hailuo-pro", "A quiet harbor" + NO_RENDER, null));

        // 400: a field the request schema does not allow either.
        String unknownField = TestGateway.write(Map.of("model", "hailuo-pro", "prompt", "p", "seed", 1));
        assertThat(requestSchema(GENERATIONS, "post").validate(parse(unknownField))).isNotEmpty();
        assertError(GENERATIONS, "post", gateway.post(GENERATIONS, account.key(), unknownField), 400, "validation_failed");
        assertError(GENERATIONS, "post", gateway.post(GENERATIONS, account.key(), valid,
                Map.of("Idempotency-Key", "k".repeat(256))), 400, "validation_failed");
        assertError(GENERATIONS, "post", gateway.post(GENERATIONS, account.key(), "[1,2]"), 400, "validation_failed");

        // 401: no key, an unknown key, a malformed header.
        assertError(CREDITS, "get", gateway.get(CREDITS, null), 401, "api_key_missing");
        assertError(GENERATIONS, "post", gateway.post(GENERATIONS, "hgw_sk_not-a-real-key", valid), 401, "api_key_invalid");
        assertError(GENERATION, "get", gateway.send("GET", GENERATIONS + "/task_x", null, null,
                Map.of("Authorization", "Basic dXNlcjpwYXNz")), 401, "api_key_invalid");
        assertError(MODELS, "get", gateway.get(MODELS, "hgw_sk_not-a-real-key"), 401, "api_key_invalid");

        // 402: nothing to spend.
        TestAccount broke = gateway.createAccount("broke", 0);
        assertError(GENERATIONS, "post", gateway.post(GENERATIONS, broke.key(), valid), 402, "insufficient_credits");

        // 403: a key with only models:read.
        HttpResponse<String> issued = gateway.send("POST", "/admin/accounts/" + account.id() + "/keys", TestGateway.ADMIN_TOKEN,
                "{\"scopes\":[\"models:read\"]}", Map.of());
        assertThat(issued.statusCode()).isEqualTo(201);
        String limited = TestGateway.json(issued).path("api_key").asText();
        assertThat(limited).startsWith("hgw_sk_");
        assertConforms(MODELS, "get", gateway.get(MODELS, limited));
        assertError(CREDITS, "get", gateway.get(CREDITS, limited), 403, "api_scope_denied");
        assertError(GENERATIONS, "post", gateway.post(GENERATIONS, limited, valid), 403, "api_scope_denied");
        assertError(GENERATION, "get", gateway.get(GENERATIONS + "/task_x", limited), 403, "api_scope_denied");
        assertError(CANCEL, "post", gateway.post(GENERATIONS + "/task_x/cancel", limited, null), 403, "api_scope_denied");
        assertError(CONTENT, "get", gateway.get(GENERATIONS + "/task_x/content", limited), 403, "api_scope_denied");

        // 404: unknown, or another account's, generation.
        assertError(GENERATION, "get", gateway.get(GENERATIONS + "/task_00000000000000000000000000", account.key()), 404, "not_found");
        assertError(CANCEL, "post", gateway.post(GENERATIONS + "/task_00000000000000000000000000/cancel", account.key(), null), 404, "not_found");
        String mine = TestGateway.json(gateway.post(GENERATIONS, account.key(), valid)).path("id").asText();
        TestAccount other = gateway.createAccount("other", 100);
        assertError(GENERATION, "get", gateway.get(GENERATIONS + "/" + mine, other.key()), 404, "not_found");
        assertError(CONTENT, "get", gateway.get(GENERATIONS + "/" + mine + "/content", other.key()), 404, "not_found");

        // 409: the same Idempotency-Key with another body.
        String key = "conflict-" + System.nanoTime();
        assertConforms(GENERATIONS, "post", gateway.post(GENERATIONS, account.key(), valid, Map.of("Idempotency-Key", key)));
        assertError(GENERATIONS, "post", gateway.post(GENERATIONS, account.key(),
                TestGateway.write(body("hailuo-pro", "Another harbor" + NO_RENDER, null)), Map.of("Idempotency-Key", key)), 409, "idempotency_conflict");

        // 413 and 415.
        String huge = TestGateway.write(body("hailuo-pro", "x".repeat(1_100_000), null));
        assertError(GENERATIONS, "post", gateway.post(GENERATIONS, account.key(), huge), 413, "payload_too_large");
        assertError(GENERATIONS, "post", gateway.post(GENERATIONS, account.key(), valid, Map.of("Content-Type", "text/plain")),
                415, "unsupported_media_type");

        // 429, with Retry-After.
        TestAccount slow = gateway.createAccount("slow", 100, Map.of("reads_per_second", 1));
        AtomicReference<HttpResponse<String>> limitedResponse = new AtomicReference<>();
        for (int i = 0; i < 10 && limitedResponse.get() == null; i++) {
            HttpResponse<String> r = gateway.get(CREDITS, slow.key());
            if (r.statusCode() == 429) {
                limitedResponse.set(r);
            } else {
                assertConforms(CREDITS, "get", r);
            }
        }
        assertThat(limitedResponse.get()).as("a 429 within 10 quick reads at 1 read/s").isNotNull();
        assertError(CREDITS, "get", limitedResponse.get(), 429, "rate_limited");
    }

    // ---------------------------------------------------------------- webhooks

    /**
     * Every webhook route's answers, and the events a receiver gets, against the document: on a
     * gateway of its own that may call a receiver on loopback.
     */
    @Test
    void webhookRoutesAndDeliveredEventsConform(@TempDir Path hooksDir) throws Exception {
        String hooks = "/api/v1/webhooks";
        String hook = "/api/v1/webhooks/{id}";
        try (WebhookReceiver receiver = WebhookReceiver.accepting();
             TestGateway local = TestGateway.start(hooksDir, Map.of("HAILUO_ALLOW_PRIVATE_NETWORK", "true"))) {
            TestAccount owner = local.createAccount("hooks", 10_000);
            String key = owner.key();
            assertThat(requestSchema(hooks, "post").validate(parse("{\"url\":\"https://example.com/h\",\"name\":\"n\"}"))).isEmpty();
            JsonNode created = assertConforms(hooks, "post", local.post(hooks, key, TestGateway.write(Map.of(
                    "name", "contract", "url", receiver.url("/hook"), "event_types", List.of("generation.succeeded", "generation.failed")))));
            String id = created.path("id").asText();
            String one = hooks + "/" + id;
            assertConforms(hooks, "get", local.get(hooks, key));
            assertConforms(hook, "get", local.get(one, key));
            assertConforms(hook, "patch", local.send("PATCH", one, key, "{\"name\":\"renamed\"}", Map.of()));
            JsonNode rotated = assertConforms("/api/v1/webhooks/{id}/rotate-secret", "post", local.post(one + "/rotate-secret", key, null));
            assertThat(rotated.path("previous_secret_expires_at").isNull()).isFalse();
            assertConforms("/api/v1/webhooks/{id}/test", "post", local.post(one + "/test", key, "{\"event_type\":\"generation.failed\"}"));
            String task = TestGateway.json(local.post(GENERATIONS, key, TestGateway.write(body("hailuo-pro", "A harbor" + NO_RENDER, null))))
                    .path("id").asText();
            await().atMost(TASK_TIMEOUT).until(() -> receiver.received().size() == 2);
            for (var request : receiver.received()) {
                assertThat(schema("/components/schemas/WebhookEvent").validate(parse(request.body()))).as(request.body()).isEmpty();
            }
            assertThat(receiver.received()).anySatisfy(r -> assertThat(r.body()).contains(task));
            JsonNode deliveries = await().atMost(TASK_TIMEOUT).until(() -> assertConforms("/api/v1/webhooks/{id}/deliveries", "get",
                    local.get(one + "/deliveries?limit=1", key)), page -> page.at("/data/0/attempts").size() == 1);
            assertThat(deliveries.path("has_more").asBoolean()).isTrue();
            assertConforms("/api/v1/webhooks/{id}/deliveries", "get", local.get(one + "/deliveries?limit=1&starting_after="
                    + deliveries.at("/data/0/id").asText(), key));
            JsonNode events = assertConforms("/api/v1/webhook-events", "get", local.get("/api/v1/webhook-events?limit=1", key));
            assertThat(events.path("has_more").asBoolean()).isTrue();
            assertConforms("/api/v1/webhook-events", "get", local.get("/api/v1/webhook-events?type=generation.failed&starting_after="
                    + events.at("/data/0/id").asText(), key));

            assertError(hooks, "post", local.post(hooks, key, "{\"url\":\"ftp://example.com/h\"}"), 400, "webhook_url_rejected");
            assertError(hooks, "post", local.post(hooks, key, "{\"url\":5}"), 400, "validation_failed");
            assertError("/api/v1/webhook-events", "get", local.get("/api/v1/webhook-events?limit=0", key), 400, "validation_failed");
            assertConforms(hook, "patch", local.send("PATCH", one, key, "{\"status\":\"disabled\"}", Map.of()));
            assertError("/api/v1/webhooks/{id}/test", "post", local.post(one + "/test", key, null), 409, "webhook_endpoint_disabled");
            assertConforms(hook, "delete", local.send("DELETE", one, key, null, Map.of()));
            assertError(hook, "get", local.get(one, key), 404, "not_found");
        }
    }

    // ---------------------------------------------------------------- files

    @Test
    void uploadsAndFileReadsConform() throws Exception {
        // An image without a model: pixel size, no duration.
        JsonNode image = assertConforms(FILES, "post", Uploads.rivya(gateway, account.key(), "image.png", "image/png", "image", null));
        assertThat(image.path("object").asText()).isEqualTo("file");
        assertThat(image.path("kind").asText()).isEqualTo("image");
        assertThat(image.path("mime_type").asText()).isEqualTo("image/png");
        assertThat(image.path("size_bytes").asLong()).isEqualTo(Files.size(Uploads.fixture("image.png")));
        assertThat(image.path("width").asInt()).isEqualTo(640);
        assertThat(image.path("height").asInt()).isEqualTo(360);
        assertThat(image.path("duration_seconds").isNull()).isTrue();
        assertThat(image.path("duration_token").isNull()).isTrue();
        assertThat(image.path("client_request_id").isNull()).isTrue();

        // An image checked against a model, with a trace id.
        HttpResponse<String> checked = Uploads.upload(gateway, FILES, account.key(), "frame.png", "image/png",
                Files.readAllBytes(Uploads.fixture("image-2x.png")),
                Map.of("kind", "image", "model", "hailuo-pro", "client_request_id", "trace-42"), Map.of());
        JsonNode withModel = assertConforms(FILES, "post", checked);
        assertThat(withModel.path("name").asText()).isEqualTo("frame.png");
        assertThat(withModel.path("client_request_id").asText()).isEqualTo("trace-42");

        // A video: a duration and its token; audio likewise.
        JsonNode video = assertConforms(FILES, "post", Uploads.rivya(gateway, account.key(), "video.mp4", "video/mp4", "video", null));
        assertThat(video.path("kind").asText()).isEqualTo("video");
        assertThat(video.path("duration_seconds").asDouble()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.1));
        assertThat(video.path("duration_token").asText()).startsWith("dt_");
        assertThat(video.path("width").isNull()).isTrue();
        JsonNode audio = assertConforms(FILES, "post", Uploads.rivya(gateway, account.key(), "audio.wav", "audio/wav", "audio", null));
        assertThat(audio.path("duration_token").asText()).startsWith("dt_");

        // An idempotent replay is the same answer, marked.
        byte[] png = Files.readAllBytes(Uploads.fixture("image.png"));
        String key = "upload-" + System.nanoTime();
        HttpResponse<String> first = Uploads.upload(gateway, FILES, account.key(), "image.png", "image/png", png,
                Map.of("kind", "image"), Map.of("Idempotency-Key", key));
        assertConforms(FILES, "post", first);
        HttpResponse<String> replay = Uploads.upload(gateway, FILES, account.key(), "image.png", "image/png", png,
                Map.of("kind", "image"), Map.of("Idempotency-Key", key));
        assertConforms(FILES, "post", replay);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(replay.body()).isEqualTo(first.body());

        // Read back by the owner: the same metadata; by anyone else: 404.
        for (JsonNode uploaded : List.of(image, withModel, video)) {
            String id = uploaded.path("id").asText();
            JsonNode read = assertConforms(FILE, "get", gateway.get(FILES + "/" + id, account.key()));
            for (String field : List.of("id", "kind", "name", "mime_type", "size_bytes", "width", "height", "duration_token",
                    "client_request_id", "created_at", "expires_at")) {
                assertThat(read.path(field)).as(field).isEqualTo(uploaded.path(field));
            }
            if (!uploaded.path("duration_seconds").isNull()) {
                assertThat(read.path("duration_seconds").asDouble()).isCloseTo(uploaded.path("duration_seconds").asDouble(),
                        org.assertj.core.data.Offset.offset(0.001));
            }
        }
        TestAccount stranger = gateway.createAccount("file-stranger", 0);
        assertError(FILE, "get", gateway.get(FILES + "/" + image.path("id").asText(), stranger.key()), 404, "not_found");
        assertError(FILE, "get", gateway.get(FILES + "/file_00000000000000000000000000", account.key()), 404, "not_found");
    }

    @Test
    void uploadErrorsConformPerStatus() throws Exception {
        byte[] png = Files.readAllBytes(Uploads.fixture("image.png"));

        // 400: content that is not what its name says, a missing kind, a model's rule, an over-long trace id.
        assertError(FILES, "post", Uploads.rivya(gateway, account.key(), "spoofed.png", "image/png", "image", null), 400, "validation_failed");
        assertError(FILES, "post", Uploads.upload(gateway, FILES, account.key(), "image.png", "image/png", png, Map.of(), Map.of()),
                400, "validation_failed");
        assertError(FILES, "post", Uploads.rivya(gateway, account.key(), "tiny.png", "image/png", "image", "hailuo-pro"), 400, "validation_failed");
        assertError(FILES, "post", Uploads.upload(gateway, FILES, account.key(), "image.png", "image/png", png,
                Map.of("kind", "image", "client_request_id", "x".repeat(RivyaFiles.MAX_CLIENT_REQUEST_ID + 1)), Map.of()), 400, "validation_failed");

        // 401.
        assertError(FILES, "post", Uploads.rivya(gateway, "hgw_sk_not-a-real-key", "image.png", "image/png", "image", null), 401, "api_key_invalid");
        assertError(FILE, "get", gateway.get(FILES + "/file_00000000000000000000000000", null), 401, "api_key_missing");

        // 403: keys without the files scopes.
        HttpResponse<String> issued = gateway.send("POST", "/admin/accounts/" + account.id() + "/keys", TestGateway.ADMIN_TOKEN,
                "{\"scopes\":[\"models:read\",\"files:read\"]}", Map.of());
        assertThat(issued.statusCode()).isEqualTo(201);
        String readOnly = TestGateway.json(issued).path("api_key").asText();
        assertError(FILES, "post", Uploads.rivya(gateway, readOnly, "image.png", "image/png", "image", null), 403, "api_scope_denied");
        HttpResponse<String> uploaderIssued = gateway.send("POST", "/admin/accounts/" + account.id() + "/keys", TestGateway.ADMIN_TOKEN,
                "{\"scopes\":[\"files:create\"]}", Map.of());
        String uploader = TestGateway.json(uploaderIssued).path("api_key").asText();
        String id = assertConforms(FILES, "post", Uploads.rivya(gateway, uploader, "image.png", "image/png", "image", null)).path("id").asText();
        assertError(FILE, "get", gateway.get(FILES + "/" + id, uploader), 403, "api_scope_denied");
        assertConforms(FILE, "get", gateway.get(FILES + "/" + id, readOnly));

        // 409: the same Idempotency-Key with another file.
        String key = "upload-conflict-" + System.nanoTime();
        assertConforms(FILES, "post", Uploads.upload(gateway, FILES, account.key(), "image.png", "image/png", png,
                Map.of("kind", "image"), Map.of("Idempotency-Key", key)));
        assertError(FILES, "post", Uploads.upload(gateway, FILES, account.key(), "image-2x.png", "image/png",
                Files.readAllBytes(Uploads.fixture("image-2x.png")), Map.of("kind", "image"), Map.of("Idempotency-Key", key)),
                409, "idempotency_conflict");

        // 413: one byte over the image limit.
        byte[] tooBig = new byte[Math.toIntExact(UPLOADS.maxBytes(FileKind.IMAGE) + 1)];
        System.arraycopy(png, 0, tooBig, 0, png.length);
        assertError(FILES, "post", Uploads.upload(gateway, FILES, account.key(), "big.png", "image/png", tooBig,
                Map.of("kind", "image"), Map.of()), 413, "payload_too_large");

        // 415: not multipart.
        assertError(FILES, "post", gateway.post(FILES, account.key(), "{\"kind\":\"image\"}"), 415, "unsupported_media_type");

        // 429: uploads share the create bucket.
        TestAccount slow = gateway.createAccount("slow-uploads", 100, Map.of("creates_per_10s", 1));
        AtomicReference<HttpResponse<String>> limited = new AtomicReference<>();
        for (int i = 0; i < 5 && limited.get() == null; i++) {
            HttpResponse<String> r = Uploads.rivya(gateway, slow.key(), "image.png", "image/png", "image", null);
            if (r.statusCode() == 429) {
                limited.set(r);
            } else {
                assertConforms(FILES, "post", r);
            }
        }
        assertThat(limited.get()).as("a 429 within 5 quick uploads at 1 create per 10 s").isNotNull();
        assertError(FILES, "post", limited.get(), 429, "rate_limited");
    }

    /** Upload two images, create image-to-video with their URLs (first and last frame), poll it to the video. */
    @Test
    void anImageToVideoGenerationConformsThroughSucceeded() {
        JsonNode first = assertConforms(FILES, "post", Uploads.rivya(gateway, account.key(), "image.png", "image/png", "image", "hailuo-standard"));
        JsonNode last = assertConforms(FILES, "post", Uploads.rivya(gateway, account.key(), "image-2x.png", "image/png", "image", "hailuo-standard"));
        Map<String, Object> firstItem = new LinkedHashMap<>();
        firstItem.put("url", first.path("url").asText());
        firstItem.put("kind", "image");
        firstItem.put("name", first.path("name").asText());
        firstItem.put("mimeType", first.path("mime_type").asText());
        String body = TestGateway.write(body("hailuo-standard", "A paper boat drifts from one picture to the other",
                Map.of("resolution", "512P", "referenceMediaItems", List.of(firstItem, Map.of("url", last.path("url").asText())))));
        assertThat(requestSchema(GENERATIONS, "post").validate(parse(body))).isEmpty();

        HttpResponse<String> created = gateway.post(GENERATIONS, account.key(), body, Map.of("Idempotency-Key", "i2v-" + System.nanoTime()));
        JsonNode task = assertConforms(GENERATIONS, "post", created);
        assertThat(task.path("status").asText()).isEqualTo("queued");
        long price = -1;
        for (JsonNode model : TestGateway.json(gateway.get(MODELS, null)).path("data")) {
            if (model.path("id").asText().equals("hailuo-standard")) {
                for (JsonNode p : model.path("prices")) {
                    if (p.path("mode").asText().equals("image-to-video") && p.path("resolution").asText().equals("512P")
                            && p.path("duration").asInt() == 6) {
                        price = p.path("credits").asLong();
                    }
                }
            }
        }
        assertThat(task.path("reserved_credits").asLong()).as("the image-to-video price /models lists").isEqualTo(price);

        JsonNode done = awaitFinal(task.path("id").asText(), IMAGE_TASK_TIMEOUT);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.path("final_credits").asLong()).isEqualTo(price);
        HttpResponse<byte[]> video = gateway.send(HttpRequest.newBuilder(URI.create(done.at("/result/primary_url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(video.statusCode()).isEqualTo(200);
        assertThat(new String(video.body(), 4, 4)).isEqualTo("ftyp");
        // The files stay readable after use.
        assertConforms(FILE, "get", gateway.get(FILES + "/" + first.path("id").asText(), account.key()));
    }

    // ---------------------------------------------------------------- the checks can fail

    @Test
    void theSchemasRejectDriftedBodies() {
        JsonSchema generation = responseSchema(GENERATION, "get", 200);
        ObjectNode good = (ObjectNode) TestGateway.json(gateway.post(GENERATIONS, account.key(),
                TestGateway.write(body("hailuo-pro", "A lantern" + NO_RENDER, null))));
        assertThat(generation.validate(good)).isEmpty();

        assertThat(generation.validate(good.deepCopy().put("progress", 50))).as("unknown field").isNotEmpty();
        assertThat(generation.validate(good.deepCopy().put("status", "done"))).as("unknown status").isNotEmpty();
        assertThat(generation.validate(good.deepCopy().put("created_at", "2026-05-10T00:00:00Z"))).as("no milliseconds").isNotEmpty();
        ObjectNode missing = good.deepCopy();
        missing.remove("final_credits");
        assertThat(generation.validate(missing)).as("missing field").isNotEmpty();
        ObjectNode succeededWithoutResult = good.deepCopy().put("status", "succeeded");
        assertThat(generation.validate(succeededWithoutResult)).as("succeeded without result").isNotEmpty();

        JsonNode notFound = TestGateway.json(gateway.get(GENERATIONS + "/task_x", account.key()));
        assertThat(responseSchema(GENERATION, "get", 404).validate(notFound)).isEmpty();
        assertThat(responseSchema(GENERATION, "get", 401).validate(notFound)).as("a 404 code in a 401 body").isNotEmpty();
        ObjectNode strangeCode = notFound.deepCopy();
        ((ObjectNode) strangeCode.path("error")).put("code", "teapot");
        assertThat(responseSchema(GENERATION, "get", 404).validate(strangeCode)).isNotEmpty();

        JsonSchema file = responseSchema(FILE, "get", 200);
        ObjectNode image = (ObjectNode) TestGateway.json(Uploads.rivya(gateway, account.key(), "image.png", "image/png", "image", null));
        ObjectNode video = (ObjectNode) TestGateway.json(Uploads.rivya(gateway, account.key(), "video.mp4", "video/mp4", "video", null));
        assertThat(file.validate(image)).isEmpty();
        assertThat(file.validate(video)).isEmpty();
        assertThat(file.validate(image.deepCopy().put("purpose", "reference"))).as("unknown field").isNotEmpty();
        assertThat(file.validate(image.deepCopy().put("duration_token", video.path("duration_token").asText()))).as("image with a token").isNotEmpty();
        assertThat(file.validate(video.deepCopy().putNull("duration_token"))).as("video without a token").isNotEmpty();
        assertThat(file.validate(image.deepCopy().put("mime_type", "video/mp4"))).as("image with a video type").isNotEmpty();
        assertThat(file.validate(image.deepCopy().put("size_bytes", "48213"))).as("size as a string").isNotEmpty();
        ObjectNode noExpiry = image.deepCopy();
        noExpiry.remove("expires_at");
        assertThat(file.validate(noExpiry)).as("missing field").isNotEmpty();
    }

    // ---------------------------------------------------------------- helpers: the document

    /** Validates a live JSON response against what the document declares for it; returns the body. */
    private static JsonNode assertConforms(String path, String method, HttpResponse<String> response) {
        String described = method.toUpperCase() + " " + path + " -> " + response.statusCode() + " " + response.body();
        String responsePointer = responsePointer(path, method, response.statusCode(), described);
        JsonNode declared = doc.at(responsePointer);
        assertThat(declared.path("content").has("application/json"))
                .as("document declares JSON for %s", described).isTrue();
        assertThat(response.headers().firstValue("Content-Type"))
                .as("Content-Type of %s", described).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode body = TestGateway.json(response);
        Set<ValidationMessage> problems = schema(responsePointer + "/content/application~1json/schema").validate(body);
        assertThat(problems).as("schema violations in %s", described).isEmpty();
        assertHeaders(responsePointer, response.headers(), described);
        if (body.path("error").has("requestId")) {
            assertThat(body.at("/error/requestId").asText()).isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
        }
        return body;
    }

    private static void assertBinaryConforms(String path, String method, HttpResponse<byte[]> response) {
        String described = method.toUpperCase() + " " + path + " -> " + response.statusCode();
        String responsePointer = responsePointer(path, method, response.statusCode(), described);
        JsonNode content = doc.at(responsePointer).path("content");
        String type = response.headers().firstValue("Content-Type").orElseThrow();
        assertThat(names(content)).as("media types declared for %s", described).contains(type);
        assertHeaders(responsePointer, response.headers(), described);
        response.headers().firstValue("Content-Length").ifPresent(length ->
                assertThat(Long.parseLong(length)).isEqualTo(response.body().length));
    }

    private static void assertError(String path, String method, HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(status);
        JsonNode body = assertConforms(path, method, response);
        assertThat(body.at("/error/code").asText()).isEqualTo(code);
    }

    /** Every header the document marks required is present; every declared header that is present matches its schema. */
    private static void assertHeaders(String responsePointer, java.net.http.HttpHeaders actual, String described) {
        JsonNode headers = doc.at(responsePointer).path("headers");
        for (String name : names(headers)) {
            String pointer = follow(responsePointer + "/headers/" + escape(name));
            JsonNode header = doc.at(pointer);
            var value = actual.firstValue(name);
            if (header.path("required").asBoolean(false)) {
                assertThat(value).as("required header %s on %s", name, described).isPresent();
            }
            if (value.isPresent()) {
                JsonNode schemaNode = doc.at(pointer + "/schema");
                JsonNode typed = "integer".equals(schemaNode.path("type").asText())
                        ? integerOrText(value.get()) : TextNode.valueOf(value.get());
                assertThat(schema(pointer + "/schema").validate(typed))
                        .as("header %s: %s on %s", name, value.get(), described).isEmpty();
            }
        }
    }

    private static JsonNode integerOrText(String value) {
        try {
            return LongNode.valueOf(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return TextNode.valueOf(value);
        }
    }

    /** The JSON pointer of the response the document declares for this operation and status (after $ref). */
    private static String responsePointer(String path, String method, int status, String described) {
        String operation = "/paths/" + escape(path) + "/" + method;
        assertThat(doc.at(operation).isObject()).as("document has an operation for %s", described).isTrue();
        String pointer = operation + "/responses/" + status;
        assertThat(doc.at(pointer).isObject()).as("document declares status %d for %s", status, described).isTrue();
        return follow(pointer);
    }

    private static JsonSchema responseSchema(String path, String method, int status) {
        return schema(responsePointer(path, method, status, method + " " + path + " " + status) + "/content/application~1json/schema");
    }

    private static JsonSchema requestSchema(String path, String method) {
        return schema("/paths/" + escape(path) + "/" + method + "/requestBody/content/application~1json/schema");
    }

    private static List<JsonNode> parameters(String path, String method) {
        List<JsonNode> out = new ArrayList<>();
        for (String pointer : List.of("/paths/" + escape(path) + "/parameters", "/paths/" + escape(path) + "/" + method + "/parameters")) {
            JsonNode list = doc.at(pointer);
            for (int i = 0; i < list.size(); i++) {
                out.add(doc.at(follow(pointer + "/" + i)));
            }
        }
        return out;
    }

    /** The schema at a JSON pointer into the document, its {@code #/...} references resolved against the document. */
    private static JsonSchema schema(String pointer) {
        assertThat(doc.at(pointer).isObject()).as("schema at %s", pointer).isTrue();
        return SCHEMAS.computeIfAbsent(pointer, p -> {
            JsonSchema schema = factory.getSchema(SchemaLocation.of(DOC_URI + "#" + p), CONFIG);
            schema.initializeValidators();
            return schema;
        });
    }

    /** Follows OpenAPI reference objects ({@code $ref} to {@code #/...}) until a real object. */
    private static String follow(String pointer) {
        for (int hops = 0; hops < 10; hops++) {
            JsonNode node = doc.at(pointer);
            if (!node.has("$ref")) {
                return pointer;
            }
            String ref = node.get("$ref").asText();
            assertThat(ref).startsWith("#/");
            pointer = ref.substring(1);
        }
        throw new AssertionError("reference loop at " + pointer);
    }

    private static void collectRefs(JsonNode node, List<String> dangling) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual() && (!ref.asText().startsWith("#/") || doc.at(ref.asText().substring(1)).isMissingNode())) {
                dangling.add(ref.asText());
            }
        }
        node.forEach(child -> collectRefs(child, dangling));
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    // ---------------------------------------------------------------- helpers: the gateway

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, Object> body(String model, String prompt, Map<String, Object> params) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("prompt", prompt);
        if (params != null) {
            body.put("params", new HashMap<>(params));
        }
        return body;
    }

    /** Polls (validating every read) until the generation is succeeded or failed. */
    private static JsonNode awaitFinal(String id) {
        return awaitFinal(id, TASK_TIMEOUT);
    }

    private static JsonNode awaitFinal(String id, Duration timeout) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode task = assertConforms(GENERATION, "get", gateway.get(GENERATIONS + "/" + id, account.key()));
            last.set(task);
            return Set.of("succeeded", "failed").contains(task.path("status").asText());
        });
        return last.get();
    }

    private static HttpResponse<byte[]> download(String id, String range) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + GENERATIONS + "/" + id + "/content"))
                .header("Authorization", "Bearer " + account.key());
        if (range != null) {
            request.header("Range", range);
        }
        return gateway.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
