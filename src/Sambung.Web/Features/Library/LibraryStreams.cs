using Marten;
using Sambung.Events;
using Sambung.Events.Library;
using Sambung.Web.Features.Chats;
using Sambung.Web.Infrastructure;

namespace Sambung.Web.Features.Library;

// A user's folders and tags: one small stream per user, folded on demand.
public sealed class LibraryStreams(AuditSource source)
{
    public async Task<UserLibrary> LoadAsync(IDocumentSession session, string ownerId, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(UserLibrary.IdFor(ownerId), token: ct);
        return UserLibrary.Fold(ownerId, events.Select(e => e.Data));
    }

    public CommandResult Append(IDocumentSession session, UserLibrary state, Decision decision)
    {
        if (decision.IsRefused) return new(CommandStatus.Refused, state.Version, decision.Refusal);
        if (decision.IsNoChange) return new(CommandStatus.NoChange, state.Version);
        var newVersion = state.Version + decision.Events.Count;
        source.Stamp(session);
        if (state.Version == 0) session.Events.StartStream(state.Id, decision.Events.ToArray());
        else session.Events.Append(state.Id, newVersion, decision.Events.ToArray());
        return new(CommandStatus.Applied, newVersion);
    }

    public async Task EnsureTagAsync(IDocumentSession session, string ownerId, string tag, DateTimeOffset now, CancellationToken ct)
    {
        var state = await LoadAsync(session, ownerId, ct);
        Append(session, state, LibraryDecisions.Decide(new CreateTag(tag, ownerId), state, now));
    }
}
