package dev.hailuo.server.http.rivya;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.catalog.ParamSpec;
import dev.hailuo.core.catalog.Price;
import dev.hailuo.core.catalog.ReferenceRules;
import dev.hailuo.core.files.FileKind;
import dev.hailuo.core.files.UploadPolicy;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.core.task.TaskSummary;
import dev.hailuo.server.blob.MediaLinks;

import java.util.List;

import static dev.hailuo.server.http.Responses.timestamp;

/** How the Rivya door shows tasks and models (../reference/rivya-api-v1.md, sections 3 and 5). */
final class RivyaViews {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Upload limits by kind: the numbers /models shows for reference media are the ones uploads are held to. */
    private static final UploadPolicy UPLOADS = new UploadPolicy();
    /** What the i-th reference image becomes (References keeps them in this order). */
    private static final List<String> FRAME_ROLES = List.of("first_frame", "last_frame");

    private final Catalog catalog;
    private final MediaLinks links;

    RivyaViews(Catalog catalog, MediaLinks links) {
        this.catalog = catalog;
        this.links = links;
    }

    static String status(TaskState state) {
        return switch (state) {
            case QUEUED -> "queued";
            case SUBMITTING, PROCESSING, FINALIZING -> "processing";
            case SUCCEEDED -> "succeeded";
            case FAILED, CANCELED -> "failed";
        };
    }

    /** A generation as Rivya shows it; its summary holds all the view needs (the status read reads no more). */
    ObjectNode generation(TaskSummary task) {
        ObjectNode node = NODES.objectNode();
        node.put("id", task.id());
        node.put("status", status(task.state()));
        node.put("model", catalog.byId(task.modelId()).map(Model::rivyaId).orElse(task.modelId()));
        node.put("reserved_credits", task.price());
        node.put("final_credits", task.finalCredits());
        node.put("created_at", timestamp(task.createdAt()));
        node.put("updated_at", timestamp(task.updatedAt()));
        if (task.state() == TaskState.SUCCEEDED && task.resultKey() != null) {
            String url = links.url(task.resultKey());
            ObjectNode result = node.putObject("result");
            result.put("primary_url", url);
            result.putArray("urls").add(url);
        } else {
            node.putNull("result");
        }
        if (task.error() != null) {
            ObjectNode error = node.putObject("error");
            error.put("code", task.error().code());
            error.put("message", task.error().message());
        } else {
            node.putNull("error");
        }
        return node;
    }

    ObjectNode models() {
        ObjectNode root = NODES.objectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        catalog.all().forEach(m -> data.add(model(m)));
        return root;
    }

    private ObjectNode model(Model m) {
        ObjectNode node = NODES.objectNode();
        node.put("id", m.rivyaId());
        node.put("display_name", m.displayName());
        node.put("category", m.category());
        node.put("runtime", "async_task");
        node.put("base_credits", m.baseCredits());
        node.put("billing_type", "FIXED");
        ArrayNode modes = node.putArray("supported_modes");
        m.modes().forEach(mode -> modes.add(mode.wireName()));
        node.put("max_prompt_length", m.maxPromptLength());
        boolean references = takesReferences(m);
        if (references) {
            node.set("reference_media", referenceMedia(m));
        } else {
            node.putNull("reference_media");
        }
        ArrayNode params = node.putArray("params");
        for (ParamSpec p : m.params()) {
            ObjectNode param = params.addObject();
            param.put("key", p.key());
            param.put("type", p.type());
            param.put("required", false);
            if (p.defaultValue() != null) {
                param.put("default", p.defaultValue());
            } else {
                param.putNull("default");
            }
            ArrayNode options = param.putArray("options");
            p.options().forEach(options::add);
            param.put("description", p.description());
        }
        ArrayNode prices = node.putArray("prices");
        for (Price p : m.prices()) {
            prices.addObject().put("mode", p.mode().wireName()).put("resolution", p.resolution())
                    .put("duration", p.duration()).put("credits", p.credits());
        }
        node.put("api_status", "available");
        // Reference media is taken as an uploaded file's URL or as any public http(s) URL, which the
        // gateway fetches itself (References): no mode needs the Files API, so URL input is the truthful status.
        node.put("api_input_status", references ? "available_url_input" : "available_text");
        ArrayNode inputs = node.putArray("supported_api_inputs").add("text");
        if (references) {
            inputs.add("file").add("url");
        }
        node.put("requires_files_api", false);
        node.putArray("requires_upload_for_modes");
        node.put("url_input_supported", references);
        ArrayNode fileKinds = node.putArray("file_kinds");
        if (references) {
            m.reference().kinds().forEach(k -> fileKinds.add(k.wireName()));
        }
        node.putNull("chat_capabilities");
        node.putArray("notices");
        return node;
    }

    private static boolean takesReferences(Model m) {
        return m.modes().contains(Mode.IMAGE_TO_VIDEO) && m.maxReferenceImages() > 0 && !m.reference().kinds().isEmpty();
    }

    /** What {@code params.referenceMediaItems} accepts for this model: the catalog's rules and the upload policy. */
    private static ObjectNode referenceMedia(Model m) {
        ReferenceRules rules = m.reference();
        ObjectNode media = NODES.objectNode();
        ArrayNode kinds = media.putArray("kinds");
        rules.kinds().forEach(k -> kinds.add(k.wireName()));
        media.put("max_files", m.maxReferenceImages());
        media.put("max_bytes", rules.kinds().stream().mapToLong(UPLOADS::maxBytes).max().orElseThrow());
        ArrayNode mimeTypes = media.putArray("mime_types");
        rules.kinds().stream().flatMap(k -> UPLOADS.types(k).stream()).distinct().forEach(mimeTypes::add);
        if (rules.kinds().contains(FileKind.IMAGE)) {
            ObjectNode image = media.putObject("image");
            image.put("short_side_greater_than_px", rules.minShortSideExclusive());
            image.put("aspect_ratio_min", rules.aspectMin()[0] + ":" + rules.aspectMin()[1]);
            image.put("aspect_ratio_max", rules.aspectMax()[0] + ":" + rules.aspectMax()[1]);
            image.put("max_pixels", UploadPolicy.MAX_IMAGE_PIXELS);
        } else {
            media.putNull("image");
        }
        List<String> roles = FRAME_ROLES.subList(0, Math.min(m.maxReferenceImages(), FRAME_ROLES.size()));
        ArrayNode order = media.putArray("item_roles");
        roles.forEach(order::add);
        media.put("rule", rule(m.maxReferenceImages()));
        return media;
    }

    /** The frame rule in words, from the same count and roles as {@code max_files} and {@code item_roles}. */
    private static String rule(int maxFiles) {
        return "Up to " + maxFiles + (maxFiles == 1 ? " image" : " images") + ": the first becomes the first frame"
                + (maxFiles > 1 ? ", the second becomes the last frame." : ".");
    }
}
