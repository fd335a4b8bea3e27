package dev.hailuo.core.files;

import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.port.FileIntake;
import dev.hailuo.core.port.FileStore;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the references of a create request into stored files and checks them against the
 * model's rules, before any credit is reserved. Every front door goes through here.
 */
public final class References {
    private final FileStore files;
    private final FileIntake intake;
    private final DurationTokens tokens;
    private final Clock clock;

    public References(FileStore files, FileIntake intake, DurationTokens tokens, Clock clock) {
        this.files = files;
        this.intake = intake;
        this.tokens = tokens;
        this.clock = clock;
    }

    /**
     * @param modelName how the door calls the model, for refusals
     * @param fields    how the door names the list and each item
     * @return the files in order: first frame, then last frame
     */
    public List<StoredFile> resolve(String accountId, Model model, String modelName, List<ReferenceItem> items,
                                    ReferenceFields fields) {
        if (items.size() > model.maxReferenceImages()) {
            throw GatewayException.validation(fields.list() + ": at most " + model.maxReferenceImages() + " items are accepted by "
                    + modelName + " (the second is the last frame), got " + items.size() + ".");
        }
        List<StoredFile> resolved = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            resolved.add(resolve(accountId, model, modelName, items.get(i), fields.item().apply(i), fields.url().apply(i)));
        }
        return resolved;
    }

    private StoredFile resolve(String accountId, Model model, String modelName, ReferenceItem item, String field,
                               String urlField) {
        if (item.url() == null || item.url().isBlank()) {
            throw GatewayException.validation(urlField + ": is required.");
        }
        StoredFile file = intake.ownFileId(item.url())
                .map(id -> files.find(accountId, id).orElseThrow(() -> GatewayException.validation(
                        urlField + ": no such file in this account.")))
                .orElseGet(() -> intake.fetch(accountId, external(item.url(), urlField), urlField));
        if (!file.expiresAt().isAfter(clock.instant())) {
            throw GatewayException.validation(urlField + ": the file expired; upload it again.");
        }
        if (item.durationToken() != null) {
            tokens.verify(item.durationToken(), file.id(), accountId, field + ".durationToken");
        }
        if (item.kind() != null && !item.kind().equals(file.kind().wireName())) {
            throw GatewayException.validation(field + ".kind: declared " + item.kind() + " but the file is "
                    + file.kind().wireName() + ".");
        }
        model.reference().checkKind(file.kind(), modelName, field);
        if (file.kind() == FileKind.IMAGE) {
            model.reference().checkImage(file.width(), file.height(), modelName, field);
        }
        return file;
    }

    private static URI external(String url, String field) {
        try {
            URI uri = new URI(url);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw GatewayException.validation(field + ": only http and https URLs are accepted.");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw GatewayException.validation(field + ": not a valid URL.");
        }
    }
}
