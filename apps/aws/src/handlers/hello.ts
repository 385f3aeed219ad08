/**
 * Exercise 1, invoked directly (`serverless invoke -f hello`): greets and echoes the event, as the workshop
 * did. It needs nothing else, so its bundle is a few hundred bytes.
 */
export async function handler(event: unknown): Promise<{ statusCode: number; body: string }> {
  return { statusCode: 200, body: JSON.stringify({ message: "Hello World !", input: event }) };
}
