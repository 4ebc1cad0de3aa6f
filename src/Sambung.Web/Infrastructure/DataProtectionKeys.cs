using System.Xml.Linq;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Sambung.Web.Infrastructure;

public sealed class DataProtectionKey
{
    public string Id { get; set; } = "";
    public string Xml { get; set; } = "";
}

// The Data Protection key ring (it signs cookies and antiforgery tokens, and will encrypt provider keys) lives in
// PostgreSQL, so restarts, containers and several app nodes share it.
public sealed class MartenXmlRepository(IDocumentStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var session = store.QuerySession();
        return session.Query<DataProtectionKey>().ToListAsync().GetAwaiter().GetResult().Select(k => XElement.Parse(k.Xml)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var session = store.LightweightSession();
        session.Store(new DataProtectionKey { Id = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        session.SaveChangesAsync().GetAwaiter().GetResult();
    }
}

public static class DataProtectionRegistration
{
    public static IServiceCollection AddSambungDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("sambung");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IServiceProvider>((o, sp) =>
            {
                o.XmlRepository = new MartenXmlRepository(sp.GetRequiredService<IDocumentStore>());
                if (MasterKeyXmlEncryptor.KeyFrom(sp.GetRequiredService<IConfiguration>()) is { } key) o.XmlEncryptor = new MasterKeyXmlEncryptor(key);
            });
        return services;
    }
}
