using JasperFx.Events;
using Marten.Events.Projections;
using Sambung.Events.Conversations;

namespace Sambung.Projections.Usage;

// Usage per owner × conversation × day (UTC) × provider × model: what "by chat" and "top chats by cost" read. A
// second projection rather than a wider UsageDay key, so the dashboard's main figures keep reading few documents.
// Titles are not copied here: the page takes them from the chat list, owner-scoped, when it shows them.
public sealed record UsageChatDay
{
    public string Id { get; init; } = "";
    public string OwnerId { get; init; } = "";
    public Guid ConversationId { get; init; }
    public DateOnly Day { get; init; }
    public string Provider { get; init; } = "";
    public string Model { get; init; } = "";
    public int Requests { get; init; }
    public int Completed { get; init; }
    public int Failed { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }

    public static string IdFor(string ownerId, Guid conversation, DateTimeOffset at, ModelRef? model) =>
        $"{ownerId}|{conversation:N}|{DateOnly.FromDateTime(at.UtcDateTime):yyyy-MM-dd}|{model?.Provider}|{model?.Model}";
}

public sealed partial class UsageChatDayProjection : MultiStreamProjection<UsageChatDay, string>
{
    public UsageChatDayProjection()
    {
        // Version 2 added the summed columns (SambungStore.SummedColumns): new tables, filled from the events by the
        // daemon in the background after an upgrade (the page says how far behind it is), instead of a startup
        // migration that rewrites every row of a large table.
        Version = 2;
        Identities<IEvent<ReplyRequested>>(e => UsageFigures.Unless(e.Data.Copy, UsageChatDay.IdFor(e.Data.By, e.StreamId, e.Data.At, e.Data.Model)));
        Identities<IEvent<ReplyCompleted>>(e => UsageFigures.Unless(e.Data.Copy, UsageChatDay.IdFor(e.Data.OwnerId, e.StreamId, e.Data.At, e.Data.Model)));
        Identities<IEvent<ReplyFailed>>(e => UsageFigures.Unless(e.Data.Copy, UsageChatDay.IdFor(e.Data.OwnerId, e.StreamId, e.Data.At, e.Data.Model)));
    }

    public UsageChatDay Apply(IEvent<ReplyRequested> e, UsageChatDay u) =>
        Keyed(u, e.Data.By, e.StreamId, e.Data.At, e.Data.Model) with { Requests = u.Requests + 1 };

    public UsageChatDay Apply(IEvent<ReplyCompleted> e, UsageChatDay u) => Keyed(u, e.Data.OwnerId, e.StreamId, e.Data.At, e.Data.Model) with
    {
        Completed = u.Completed + 1,
        InputTokens = u.InputTokens + e.Data.Usage.InputTokens,
        OutputTokens = u.OutputTokens + e.Data.Usage.OutputTokens,
    };

    public UsageChatDay Apply(IEvent<ReplyFailed> e, UsageChatDay u) =>
        Keyed(u, e.Data.OwnerId, e.StreamId, e.Data.At, e.Data.Model) with { Failed = u.Failed + 1 };

    private static UsageChatDay Keyed(UsageChatDay u, string owner, Guid conversation, DateTimeOffset at, ModelRef? model) => u with
    {
        Id = UsageChatDay.IdFor(owner, conversation, at, model), OwnerId = owner, ConversationId = conversation,
        Day = DateOnly.FromDateTime(at.UtcDateTime), Provider = model?.Provider ?? "", Model = model?.Model ?? "",
    };
}
