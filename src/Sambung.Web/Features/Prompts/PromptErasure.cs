using Marten;
using Sambung.Events.Prompts;
using Sambung.Projections.Prompts;

namespace Sambung.Web.Features.Prompts;

// Deleting an account deletes its prompts (which takes published ones out of the community library), removes
// their read models and use counts (ForgetAsync), and returns their streams so the caller masks their text in the event store.
// Copies other people made are theirs and stay.
public static class PromptErasure
{
    public static async Task<IReadOnlyList<Guid>> DeleteAllAsync(IDocumentSession session, string ownerId, DateTimeOffset now, CancellationToken ct)
    {
        var prompts = await session.Query<PromptView>().Where(p => p.OwnerId == ownerId).ToListAsync(ct);
        foreach (var prompt in prompts.Where(p => !p.Deleted))
            session.Events.Append(prompt.Id, new PromptDeleted(prompt.Id, ownerId, now));
        return [.. prompts.Select(p => p.Id)];
    }

    // After the deletions are saved (the inline projection writes the view in that same save, so removing it there
    // would be undone): the read models and use counts go.
    public static async Task ForgetAsync(IDocumentStore store, string ownerId, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.DeleteWhere<PromptView>(p => p.OwnerId == ownerId);
        session.DeleteWhere<PromptUse>(u => u.OwnerId == ownerId);
        await session.SaveChangesAsync(ct);
    }
}
