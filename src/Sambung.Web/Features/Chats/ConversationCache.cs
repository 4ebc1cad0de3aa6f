using Microsoft.Extensions.Caching.Memory;
using Sambung.Events.Conversations;

namespace Sambung.Web.Features.Chats;

// Recently used conversation states, so a command on a long conversation folds only the events appended since,
// not the whole stream. States are immutable, so sharing them between requests is safe; the event store stays
// the truth (every load reads what was appended after the cached version).
public sealed class ConversationCache
{
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 2_000 });

    public Conversation? Find(Guid id) => cache.TryGetValue(id, out Conversation? state) ? state : null;

    // An older state never replaces a newer one (two commits may report back out of order).
    public void Keep(Conversation state)
    {
        if (Find(state.Id) is { } kept && kept.Version > state.Version) return;
        cache.Set(state.Id, state, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(30) });
    }

    public void Forget(Guid id) => cache.Remove(id);

    public void Clear() => cache.Clear();
}
