import { AppError } from '../errors';

/**
 * A launch, login or link the tool refuses: what failed (the message) and what the course team
 * should check (the advice), shown on a 4xx page (502 when the platform itself did not answer).
 */
export class LaunchRefused extends AppError {
  constructor(status: number, message: string, advice: string) {
    super(message, status);
    this.advice = advice;
  }
  override readonly advice: string;
}
