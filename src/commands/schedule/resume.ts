import {ScheduleResume} from './pause.js';

export default ScheduleResume;
