using System.Collections.Concurrent;
using Marten;
using Sambung.Projections.Usage;
using Sambung.Web.Features.Accounts;

using Sambung.Web.Features.Chats;

namespace Sambung.Web.Features.Analytics;

// A monthly allowance: tokens (in + out), cost in USD, or both (whichever runs out first counts). Null: no limit.
public sealed record Budget(long? Tokens, decimal? Cost)
{
    public bool IsLimited => Tokens is not null || Cost is not null;
}

// What an admin set: the instance's default and each user's own budget (which replaces the default).
public sealed class BudgetSettings
{
    public const string DocumentId = "usage-budgets";
    public string Id { get; set; } = DocumentId;
    public Budget? Default { get; set; }
    public Dictionary<string, Budget> Users { get; set; } = [];

    public Budget? For(string userId) => Users.TryGetValue(userId, out var own) ? own : Default;
}

public enum BudgetLevel { Unlimited, Within, Warning, Exhausted, Exempt }

// Where a user stands this month. Used: the larger share of either limit (1 = all of it).
public sealed record BudgetStatus(BudgetLevel Level, Budget? Budget, long TokensUsed, decimal CostUsed, double Used)
{
    public const double WarnAt = 0.8;

    public long? TokensLeft => Budget?.Tokens is { } t ? Math.Max(0, t - TokensUsed) : null;
    public decimal? CostLeft => Budget?.Cost is { } c ? Math.Max(0, c - CostUsed) : null;
    public bool Refuses => Level == BudgetLevel.Exhausted;

    // Pure: at 80 % of a limit a warning, at 100 % new requests are refused; admins are never refused.
    public static BudgetStatus Decide(Budget? budget, long tokensUsed, decimal costUsed, bool isAdmin)
    {
        if (budget is not { IsLimited: true }) return new(isAdmin ? BudgetLevel.Exempt : BudgetLevel.Unlimited, budget, tokensUsed, costUsed, 0);
        var used = Math.Max(Share(tokensUsed, budget.Tokens), Share(costUsed, budget.Cost));
        var level = isAdmin ? BudgetLevel.Exempt : used >= 1 ? BudgetLevel.Exhausted : used >= WarnAt ? BudgetLevel.Warning : BudgetLevel.Within;
        return new(level, budget, tokensUsed, costUsed, used);
    }

    private static double Share(long used, long? limit) => limit is not { } l ? 0 : l <= 0 ? double.PositiveInfinity : (double)used / l;
    private static double Share(decimal used, decimal? limit) => limit is not { } l ? 0 : l <= 0 ? double.PositiveInfinity : (double)(used / l);
}

// The budget check of the post-a-message path. Cheap on purpose: the settings are kept until they change
// (PricingChanges) and each user's month-to-date spend for a short while, so a post reads no database while they are
// fresh; the spend comes from the async usage projection, so it trails the last replies by a moment: a budget is a
// monthly guard, not a meter.
public sealed class Budgets(IDocumentStore store, ModelPrices prices, TimeProvider clock, PricingChanges changes)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (long Tokens, decimal Cost, DateOnly Month, DateTimeOffset At)> spent = new();

    public async Task<BudgetStatus> StatusAsync(string userId, bool isAdmin, CancellationToken ct)
    {
        var all = await SettingsAsync(ct);
        var budget = all.For(userId);
        if (budget is not { IsLimited: true }) return BudgetStatus.Decide(budget, 0, 0, isAdmin);
        var (tokens, cost) = await SpentThisMonthAsync(userId, ct);
        return BudgetStatus.Decide(budget, tokens, cost, isAdmin);
    }

    // The refusal code for a new request, or null to go ahead.
    public async Task<string?> RefusalAsync(CurrentUser user, CancellationToken ct) =>
        !user.IsAdmin && (await StatusAsync(user.Id, false, ct)).Refuses ? RefusalCode : null;

    // Every command that asks a model for a reply goes through here: it runs unless the user's budget is spent, in
    // which case nothing is sent and the refusal comes back as the command's result, shown like any other.
    public async Task<CommandResult> GuardAsync(CurrentUser user, Func<Task<CommandResult>> run, CancellationToken ct) =>
        await RefusalAsync(user, ct) is { } refusal ? new CommandResult(CommandStatus.Refused, Refusal: refusal) : await run();

    public const string RefusalCode = "UsageBudgetExhausted";

    public Task<BudgetSettings> SettingsAsync(CancellationToken ct) => changes.GetOrLoadAsync("budgets", async () =>
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<BudgetSettings>(BudgetSettings.DocumentId, ct) ?? new BudgetSettings();
    });

    public async Task SaveAsync(Func<BudgetSettings, BudgetSettings> change, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var current = await session.LoadAsync<BudgetSettings>(BudgetSettings.DocumentId, ct) ?? new BudgetSettings();
        session.Store(change(current));
        await session.SaveChangesAsync(ct); // PricingChanges forgets the settings
        spent.Clear();
    }

    public async Task<(long Tokens, decimal Cost)> SpentThisMonthAsync(string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var month = new DateOnly(today.Year, today.Month, 1);
        if (spent.TryGetValue(userId, out var cached) && cached.Month == month && now - cached.At < CacheFor) return (cached.Tokens, cached.Cost);
        await using var session = store.QuerySession();
        var days = await session.Query<UsageDay>().Where(d => d.OwnerId == userId && d.Day >= month && d.Day <= today).ToListAsync(ct);
        var book = await prices.BookAsync(ct);
        var tokens = days.Sum(d => d.InputTokens + d.OutputTokens);
        var cost = days.Sum(d => book.PriceOn(d.Model, d.Day)?.CostOf(d.InputTokens, d.OutputTokens) ?? 0m);
        spent[userId] = (tokens, cost, month, now);
        return (tokens, cost);
    }

    // For tests and the admin page: forget cached spend so the next check reads the projection.
    public void Forget() { changes.ForgetAll(); spent.Clear(); }
}

public static class AnalyticsRegistration
{
    public static IServiceCollection AddUsageAnalytics(this IServiceCollection services) => services
        .AddScoped<UsageDashboard>()
        .AddSingleton<PricingChanges>()
        .AddSingleton<ModelPrices>()
        .AddSingleton<Budgets>();
}
