using Marten;

namespace Sambung.Web.Features.Accounts;

public sealed class Avatar
{
    public Guid Id { get; set; }
    public string UserId { get; set; } = "";
    public string ContentType { get; set; } = "";
    public byte[] Data { get; set; } = [];
}

// Avatar images: PNG, JPEG or WebP up to 2 MB, recognised by their bytes (not by name or declared type, which an
// attacker chooses), served with their real type and nosniff so a browser never reads them as HTML or script.
public static class Avatars
{
    public const long MaxBytes = 2 * 1024 * 1024;

    public static string? ContentTypeOf(ReadOnlySpan<byte> data) =>
        data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? "image/png"
        : data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
        : data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8) ? "image/webp"
        : null;

    public static void MapAvatars(this IEndpointRouteBuilder app) =>
        app.MapGet("/avatars/{id:guid}", async (Guid id, IQuerySession session, HttpContext http, CancellationToken ct) =>
        {
            if (await session.LoadAsync<Avatar>(id, ct) is not { } avatar) return Results.NotFound();
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.ContentDisposition = "inline";
            http.Response.Headers.CacheControl = "private, max-age=86400, immutable";
            return Results.File(avatar.Data, avatar.ContentType);
        }).RequireAuthorization();
}
