using System.Collections;

namespace Sambung.OidcServer;

/// <summary>
/// A lock-protected list of users. Enumeration works on a snapshot, so tests can add users while
/// the server is signing someone in.
/// </summary>
internal sealed class UserList : IList<TestOidcUser>
{
    private readonly List<TestOidcUser> _items = [];
    private readonly Lock _gate = new();

    public TestOidcUser this[int index]
    {
        get { lock (_gate) return _items[index]; }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_gate) _items[index] = value;
        }
    }

    public int Count { get { lock (_gate) return _items.Count; } }

    public bool IsReadOnly => false;

    public void Add(TestOidcUser item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate) _items.Add(item);
    }

    public void Clear() { lock (_gate) _items.Clear(); }

    public bool Contains(TestOidcUser item) { lock (_gate) return _items.Contains(item); }

    public void CopyTo(TestOidcUser[] array, int arrayIndex) { lock (_gate) _items.CopyTo(array, arrayIndex); }

    public int IndexOf(TestOidcUser item) { lock (_gate) return _items.IndexOf(item); }

    public void Insert(int index, TestOidcUser item)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate) _items.Insert(index, item);
    }

    public bool Remove(TestOidcUser item) { lock (_gate) return _items.Remove(item); }

    public void RemoveAt(int index) { lock (_gate) _items.RemoveAt(index); }

    public IEnumerator<TestOidcUser> GetEnumerator() => ((IEnumerable<TestOidcUser>)Snapshot()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private TestOidcUser[] Snapshot() { lock (_gate) return [.. _items]; }

    /// <summary>The most recently added user with that username and password, if any.</summary>
    public TestOidcUser? FindByCredentials(string username, string password)
    {
        lock (_gate)
        {
            for (var i = _items.Count - 1; i >= 0; i--)
            {
                var user = _items[i];
                if (string.Equals(user.Username, username, StringComparison.Ordinal))
                {
                    // The last user with that name decides, so a test can "replace" a user by adding it again.
                    return string.Equals(user.Password, password, StringComparison.Ordinal) ? user : null;
                }
            }
            return null;
        }
    }

    /// <summary>The most recently added user with that subject, if any.</summary>
    public TestOidcUser? FindBySubject(string subject)
    {
        lock (_gate)
        {
            for (var i = _items.Count - 1; i >= 0; i--)
            {
                if (string.Equals(_items[i].Subject, subject, StringComparison.Ordinal))
                {
                    return _items[i];
                }
            }
            return null;
        }
    }
}
