using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Sambung.OidcServer;

/// <summary>
/// Keeps the provider's data protection key ring (which protects its session cookie) in memory,
/// so nothing is read from or written to ~/.aspnet/DataProtection-Keys and no two instances share keys.
/// </summary>
internal sealed class InMemoryXmlRepository : IXmlRepository
{
    private readonly List<XElement> _elements = [];
    private readonly Lock _gate = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_gate)
        {
            return _elements.Select(element => new XElement(element)).ToList();
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_gate)
        {
            _elements.Add(new XElement(element));
        }
    }
}
