using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace NewsLens.Api.Tests.TestSupport;

/// <summary>
/// A loopback TCP proxy in front of a server that a test can cut, as a network failure or a server restart would
/// (open connections are reset, new ones refused), and restore on the same port.
/// </summary>
public sealed class CuttableProxy : IDisposable
{
    private readonly IPEndPoint target;
    private readonly ConcurrentDictionary<Socket, byte> open = new();
    private TcpListener listener;
    private CancellationTokenSource running = new();

    public CuttableProxy(string host, int port)
    {
        target = new IPEndPoint(Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork), port);
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = AcceptAsync(listener, running.Token);
    }

    /// <summary>The port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Resets every open connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        running.Cancel();
        listener.Stop();
        foreach (var socket in open.Keys)
        {
            try
            {
                // Linger 0: the peer gets a reset at once, as when a server dies, not an orderly close.
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (ObjectDisposedException)
            {
                // Its relay ended on its own meanwhile.
            }
        }
    }

    /// <summary>Takes connections again on the same port.</summary>
    public void Restore()
    {
        running = new CancellationTokenSource();
        listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Start();
        _ = AcceptAsync(listener, running.Token);
    }

    private async Task AcceptAsync(TcpListener accepting, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await accepting.AcceptSocketAsync(ct);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client, ct);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken ct)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        open[client] = 0;
        open[server] = 0;
        try
        {
            await server.ConnectAsync(target, ct);
            await using var clientStream = new NetworkStream(client, ownsSocket: false);
            await using var serverStream = new NetworkStream(server, ownsSocket: false);
            await Task.WhenAny(clientStream.CopyToAsync(serverStream, ct), serverStream.CopyToAsync(clientStream, ct));
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            open.TryRemove(client, out _);
            open.TryRemove(server, out _);
            client.Dispose();
        }
    }

    private int disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            Cut();
            running.Dispose();
        }
    }
}
