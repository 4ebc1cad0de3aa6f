using Marten;
using Sambung.Events;
using Sambung.Events.Prompts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Infrastructure;

namespace Sambung.Web.Features.Prompts;

// One stream per prompt, folded on demand (a prompt has few events: its versions and its publishing).
public sealed class PromptStreams(AuditSource source)
{
    public async Task<PromptTemplate?> LoadAsync(IQuerySession session, Guid id, CancellationToken ct) =>
        PromptTemplate.Fold((await session.Events.FetchStreamAsync(id, token: ct)).Select(e => e.Data));

    public CommandResult Append(IDocumentSession session, Guid id, PromptTemplate? state, Decision decision)
    {
        var version = state?.Version ?? 0;
        if (decision.IsRefused)
            return new(decision.Refusal == Refusals.NotFound ? CommandStatus.NotFound : CommandStatus.Refused, version, decision.Refusal);
        if (decision.IsNoChange) return new(CommandStatus.NoChange, version);
        source.Stamp(session);
        var newVersion = version + decision.Events.Count;
        if (state is null) session.Events.StartStream<PromptTemplate>(id, decision.Events.ToArray());
        else session.Events.Append(id, newVersion, decision.Events.ToArray());
        return new(CommandStatus.Applied, newVersion);
    }
}

// Many new prompts at once (an import): each decided like a new prompt, and none appended unless all are accepted.
public sealed record ImportPrompts(List<PromptContent> Prompts, string By);

// Commands about prompts, decided on the prompt's own stream and appended with optimistic concurrency.
public sealed record PromptCommand(object Command, Guid PromptId, long? ExpectedVersion = null);

public static class PromptCommandHandler
{
    public static async Task<CommandResult> Handle(PromptCommand envelope, IDocumentSession session, PromptStreams streams,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var state = await streams.LoadAsync(session, envelope.PromptId, ct);
        if (envelope.ExpectedVersion is { } expected && state is not null && expected != state.Version) return CommandResult.Conflict;
        var decision = envelope.Command switch
        {
            CreatePrompt c => PromptDecisions.Decide(c, state, now),
            EditPrompt c => PromptDecisions.Decide(c, state, now),
            RestorePromptVersion c => PromptDecisions.Decide(c, state, now),
            DeletePrompt c => PromptDecisions.Decide(c, state, now),
            PublishPrompt c => PromptDecisions.Decide(c, state, now),
            UnpublishPrompt c => PromptDecisions.Decide(c, state, now),
            _ => throw new ArgumentException($"Not a prompt command: {envelope.Command.GetType().Name}"),
        };
        return streams.Append(session, envelope.PromptId, state, decision);
    }

    public static CommandResult Handle(ImportPrompts cmd, IDocumentSession session, PromptStreams streams, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var decided = cmd.Prompts.Select(content =>
        {
            var id = Guid.CreateVersion7();
            return (Id: id, Decision: PromptDecisions.Decide(new CreatePrompt(id, content, cmd.By), null, now));
        }).ToList();
        if (decided.FirstOrDefault(d => d.Decision.IsRefused) is { Decision: not null } refused && refused.Decision.IsRefused)
            return new(CommandStatus.Refused, 0, refused.Decision.Refusal);
        foreach (var (id, decision) in decided) streams.Append(session, id, null, decision);
        return new(CommandStatus.Applied, decided.Count);
    }

    // A copy from the community library: the copy's stream starts, and the source counts one more copy, together.
    public static async Task<CommandResult> Handle(CopyPrompt cmd, IDocumentSession session, PromptStreams streams,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var source = await streams.LoadAsync(session, cmd.SourceId, ct);
        var existing = await streams.LoadAsync(session, cmd.CopyId, ct);
        var author = source is null ? null : (await session.LoadAsync<Sambung.Projections.Prompts.PromptView>(source.Id, ct))?.Public?.AuthorName;
        var decision = PromptDecisions.DecideCopy(cmd, source, existing, author ?? "", now);
        var result = streams.Append(session, cmd.CopyId, existing, decision);
        if (result.Status == CommandStatus.Applied && source is not null && source.OwnerId != cmd.By)
            streams.Append(session, source.Id, source, PromptDecisions.DecideCopied(cmd, source, now));
        return result;
    }
}
