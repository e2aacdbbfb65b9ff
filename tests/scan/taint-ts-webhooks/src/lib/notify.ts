import axios from 'axios';

export async function notify(url: string, payload: object): Promise<void> {
  const target = new URL(url);
  await axios.post(target.toString(), payload, { timeout: 3000 });
}
