// Why an action was refused, said where it was clicked (not in a banner at the top): the
// supervisor checks each command and answers with the reason in plain words.
import { useCallback, useState } from 'react';

/** [the last refusal, run(action)]: run clears it, then shows the action's reason if it was refused. */
export function useRefusal(): [string | null, (action: Promise<string | null>) => void] {
  const [why, setWhy] = useState<string | null>(null);
  const run = useCallback((action: Promise<string | null>) => {
    setWhy(null);
    void action.then(setWhy);
  }, []);
  return [why, run];
}

export function Refusal(props: { why: string | null; testid: string }) {
  if (!props.why) return null;
  return (
    <p className="refusal" role="alert" data-testid={props.testid}>
      {props.why}
    </p>
  );
}
